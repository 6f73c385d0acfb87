import { RIGBENCH_VERSION } from '@rigbench/shared';
test('placeholder - shared resolves from test/', () => {
  expect(RIGBENCH_VERSION).toBeTruthy();
});

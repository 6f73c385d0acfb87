import { CREDENTIAL_MASK, maskUrlCredentials } from './mask-credentials.js';

test('maskUrlCredentials - hides passwords and bare tokens in every URL of a text', () => {
  expect(maskUrlCredentials('nats://agent:s3cret@nats.lan:4222')).toBe(
    `nats://agent:${CREDENTIAL_MASK}@nats.lan:4222`,
  );
  expect(maskUrlCredentials('tls://tok3n-abc@nats.lan')).toBe(`tls://${CREDENTIAL_MASK}@nats.lan`);
  expect(
    maskUrlCredentials('cannot connect to nats://a:p1@h1:4222, nats://b:p@2@h2:4222: connection refused'),
  ).toBe(
    `cannot connect to nats://a:${CREDENTIAL_MASK}@h1:4222, nats://b:${CREDENTIAL_MASK}@h2:4222: connection refused`,
  );
  expect(maskUrlCredentials('["nats://u:pw@h:1"]')).toBe(`["nats://u:${CREDENTIAL_MASK}@h:1"]`);
  expect(maskUrlCredentials('nats://nats.lan:4222 and mail me@home')).toBe(
    'nats://nats.lan:4222 and mail me@home',
  );
});

import { throttledProgress, type DownloadProgress } from './download-progress.js';

test('throttledProgress (injected clock) - first report, then one per second or per 5 %, done exactly once', () => {
  let now = 0;
  const seen: DownloadProgress[] = [];
  const report = throttledProgress('hf:a/b', 1000, (p) => seen.push(p), { now: () => now });
  report(0); // first: always
  report(10); // 1 % and no time passed: dropped
  report(49); // 4.9 %: dropped
  report(60); // 6 % since the last report: sent
  now = 999;
  report(70); // not yet a second, 1 %: dropped
  now = 1000;
  report(71); // a second since the last report: sent
  report(1000); // done: sent
  report(1000); // done again: dropped
  expect(seen.map((p) => [p.downloadedBytes, p.done])).toEqual([
    [0, false],
    [60, false],
    [71, false],
    [1000, true],
  ]);
  expect(seen.every((p) => p.source === 'hf:a/b' && p.totalBytes === 1000)).toBe(true);
});

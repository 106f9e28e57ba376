// A raw BullMQ worker process for B3's baseline: takes no-op jobs from the
// queue named in argv at the given concurrency, until SIGTERM/SIGKILL.
// Run as `node --import tsx bench/lib/b3-raw-bullmq-worker.ts <redisUrl> <prefix> <queue> <concurrency>`.
import { Worker } from 'bullmq';

const [url, prefix, queueName, concurrencyArg] = process.argv.slice(2);
if (url === undefined || prefix === undefined || queueName === undefined) throw new Error('usage: <redisUrl> <prefix> <queue> <concurrency>');
const worker = new Worker(queueName, async () => undefined, {
  connection: { url },
  prefix,
  concurrency: Number(concurrencyArg ?? '16'),
});
worker.on('error', (err: Error) => process.stderr.write(`worker error: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('raw worker ready\n');
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});

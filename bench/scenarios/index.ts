// Every scenario, in the order they run. Each lives in its own module.
import type { Scenario } from '../lib/scenario.js';
import { b1 } from './b1-durable-noop-steps.js';
import { b2 } from './b2-per-step-overhead.js';
import { b3Throughput } from './b3-throughput.js';
import { b4 } from './b4-http-step-overhead.js';
import { b5StartupSchedules } from './b5-startup-schedules.js';
import { b6FireDelay } from './b6-fire-delay.js';
import { b7CrashRecovery } from './b7-crash-recovery.js';
import { peerN8n } from './peer-n8n.js';

export const SCENARIOS: Scenario[] = [
  b1,
  b2,
  b3Throughput,
  b4,
  b5StartupSchedules,
  b6FireDelay,
  b7CrashRecovery,
  peerN8n,
];

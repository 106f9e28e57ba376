// A Clock the test moves by hand (epoch ms), for scheduling and retention
// cases that must not wait in real time.
import type { Clock } from '../../src/ports/clock.js';

export class FakeClock implements Clock {
  constructor(public t: number) {}
  now = (): number => this.t;
}

/** Epoch ms of an ISO instant, for readable test data. */
export const at = (iso: string): number => Date.parse(iso);

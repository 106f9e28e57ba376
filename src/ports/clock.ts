// Time, from one place, so tests can fake it. Epoch milliseconds.
export interface Clock {
  now(): number;
}

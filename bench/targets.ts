// The goals of issue #5, held against each run's figures in the table.
export interface Target {
  text: string;
  met(value: number): boolean;
}

const atMost = (limit: number, unit = ''): Target => ({ text: `<= ${limit}${unit}`, met: (v) => v <= limit });
const atLeast = (limit: number, unit = ''): Target => ({ text: `>= ${limit}${unit}`, met: (v) => v >= limit });

export const TARGETS: Record<string, Target> = {
  'B1.wallMsP50': atMost(40, ' ms'),
  'B2.perStepMs': atMost(0.5, ' ms'),
  'B2.perStepMsMariadb': atMost(2, ' ms'),
  'B2.perStepMsPostgres': atMost(2, ' ms'),
  'B3.execPerSec': atLeast(2000, '/s'),
  'B3.queueVsRawBullmq': atLeast(0.5),
  'B3.vsN8n': atLeast(5),
  'B4.ratio': atMost(1.3),
  'B5.startupMs': atMost(2000, ' ms'),
  'B5.rssMb': atMost(300, ' MB'),
  'B6.fireDelayP99Ms': atMost(20, ' ms'),
  'B7.lost': atMost(0),
  'B7.recoveryMs': atMost(5000, ' ms'),
};

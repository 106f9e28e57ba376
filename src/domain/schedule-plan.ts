// What a scheduler does for one schedule at `now`: which fire instants to start, which
// were missed, and the next instant to wake for. A pure decision over cron maths; it
// starts nothing and stores nothing (the scheduler use case does, through its ports),
// and its work is bounded however long the schedule has been down.
import { nextFireTimes, previousFireTimes } from './cron.js';

export type CatchupPolicy = 'latest' | 'none' | 'all';

export interface SchedulePlanInput {
  cron: string;
  timezone: string;
  /** The stored next fire; null when not computed yet (a new schedule). */
  nextFireAt: number | null;
  lastFireAt: number | null;
  catchup: CatchupPolicy;
  catchupWindowMs: number;
  /** Inclusive: no fire before it. */
  startAt: number | null;
  /** Inclusive: no fire after it. */
  endAt: number | null;
  createdAt: number;
}

export interface SchedulePlan {
  /** Instants to start an execution for, earliest first. */
  fire: number[];
  /** Due instants not fired, earliest first; at most MAX_MISSED_LISTED, the most recent. */
  missed: number[];
  /** True when older missed instants exist than those listed (they are not enumerated). */
  missedTruncated: boolean;
  /** The oldest due instant (listed or not), or null when none was due. */
  oldestDue: number | null;
  /** True when the oldest due fire was later than the tolerance: the scheduler was down or
   * stuck, `catchup` chose the fires, and every fire of this plan is a catch-up. */
  afterDowntime: boolean;
  /** The first fire strictly after `now` (and after startAt), or null when none is left before endAt. */
  nextFireAt: number | null;
  /** The last instant fired, else the input's lastFireAt: what to store beside nextFireAt. */
  lastFireAt: number | null;
}

/** A due fire this late or less is on time. 60 s, as Quartz's misfire threshold: it absorbs
 * a slow tick, a GC pause or a scheduler handing over its lease, without calling it downtime. */
export const DEFAULT_LATE_TOLERANCE_MS = 60_000;
/** Most fires started by one plan (DESIGN §6: catch-up `all` runs at most 100). */
export const MAX_FIRES = 100;
/** Most missed instants listed by one plan (each becomes a ledger row; older ones are summed
 * up by `oldestDue` and `missedTruncated`). Bounded so a plan's cost does not grow with downtime. */
export const MAX_MISSED_LISTED = 1000;
/** Due fires probed forward before switching to a backward walk from `now` (< MAX_FIRES). */
const PROBE = 16;

/**
 * Decides what to do for one schedule at `now`.
 *
 * Fires are the cron instants after the stored nextFireAt (inclusive) — or, when it is null,
 * after max(createdAt, lastFireAt) — never before startAt, never after endAt, and always
 * after lastFireAt. Those at or before `now` are due.
 *
 * Lateness is judged on the oldest due fire, as Quartz judges a misfire:
 * - it is at most `lateToleranceMs` old: a normal tick, every due fire starts (they are all
 *   within the tolerance; at most MAX_FIRES, the most recent).
 * - it is older: the scheduler was down or stuck, and `catchup` decides for the whole backlog:
 *   `none` starts nothing; `latest` starts the most recent due fire if it is within
 *   max(catchupWindowMs, lateToleranceMs) of now; `all` starts each due fire within that
 *   window, at most MAX_FIRES (the most recent).
 *   Example: `* * * * *`, last fire 20:00Z, now 21:41:30Z: none starts nothing; latest starts
 *   21:41Z; all with a 60 min window starts 20:42Z … 21:41Z (60 fires). nextFireAt is 21:42Z.
 *
 * Everything due and not started is missed. Only the most recent MAX_FIRES + MAX_MISSED_LISTED
 * due instants are ever enumerated (walking back from `now`), so a schedule down for years
 * with `* * * * * *` costs the same as one down for a minute; `missedTruncated` says older
 * ones exist. nextFireAt is always computed from `now`, so no backlog can hold it back.
 *
 * Throws the cron module's Error if the expression or zone is invalid.
 */
export function planSchedule(
  s: SchedulePlanInput,
  now: number,
  lateToleranceMs: number = DEFAULT_LATE_TOLERANCE_MS,
): SchedulePlan {
  // Fires are the cron instants strictly after `floor`.
  const floor = Math.max(
    s.nextFireAt !== null ? s.nextFireAt - 1 : s.createdAt,
    s.lastFireAt ?? -Infinity,
    s.startAt !== null ? s.startAt - 1 : -Infinity,
  );
  const dueUntil = s.endAt !== null ? Math.min(now, s.endAt) : now;
  const due = dueFires(s, floor, dueUntil);
  // The fires after the floor that dueFires listed usually include the next one.
  const listedNext = due.ahead.find((at) => at > now);
  const nextFireAt = listedNext !== undefined ? withinEnd(s, listedNext) : firstAfter(s, Math.max(now, floor));

  const plan = (fire: number[], afterDowntime = false): SchedulePlan => {
    const fired = new Set(fire);
    const missed = due.recent.filter((at) => !fired.has(at));
    return {
      fire,
      missed: missed.slice(-MAX_MISSED_LISTED),
      missedTruncated: due.truncated || missed.length > MAX_MISSED_LISTED,
      nextFireAt,
      lastFireAt: fire.at(-1) ?? s.lastFireAt,
      oldestDue: due.oldest,
      afterDowntime,
    };
  };

  const oldest = due.oldest;
  if (oldest === null) return plan([]);
  if (oldest >= now - lateToleranceMs) return plan(due.recent.slice(-MAX_FIRES));
  const windowStart = now - Math.max(s.catchupWindowMs, lateToleranceMs);
  const eligible = due.recent.filter((at) => at >= windowStart);
  switch (s.catchup) {
    case 'none':
      return plan([], true);
    case 'latest':
      return plan(eligible.slice(-1), true);
    case 'all':
      return plan(eligible.slice(-MAX_FIRES), true);
  }
}

/** The first fire strictly after `after` and no later than endAt, or null. */
function firstAfter(s: SchedulePlanInput, after: number): number | null {
  const [at] = nextFireTimes(s.cron, s.timezone, after, 1);
  return at === undefined ? null : withinEnd(s, at);
}

function withinEnd(s: SchedulePlanInput, at: number): number | null {
  return s.endAt !== null && at > s.endAt ? null : at;
}

interface DueFires {
  /** The oldest due fire, or null when none is due. */
  oldest: number | null;
  /** The most recent due fires (at most MAX_FIRES + MAX_MISSED_LISTED), earliest first. */
  recent: number[];
  /** More due fires exist between `oldest` and `recent`. */
  truncated: boolean;
  /** Consecutive fires after the floor that were listed on the way (due or not). */
  ahead: number[];
}

/** The due fires in (floor, until]. Walks forward from the floor while few are due (a
 * normal tick costs one short search), and back from `until` for a backlog. */
function dueFires(s: SchedulePlanInput, floor: number, until: number): DueFires {
  const none = (ahead: number[]): DueFires => ({ oldest: null, recent: [], truncated: false, ahead });
  let oldest = 0;
  for (const count of [2, PROBE]) {
    const ahead = nextFireTimes(s.cron, s.timezone, floor, count);
    const first = ahead[0];
    if (first === undefined || first > until) return none(ahead);
    if (ahead.length < count || (ahead[count - 1] as number) > until) {
      return { oldest: first, recent: ahead.filter((at) => at <= until), truncated: false, ahead };
    }
    oldest = first;
  }
  const limit = MAX_FIRES + MAX_MISSED_LISTED;
  const back = previousFireTimes(s.cron, s.timezone, until + 1, limit + 1).filter((at) => at > floor);
  return { oldest, recent: back.slice(0, limit).reverse(), truncated: back.length > limit, ahead: [] };
}

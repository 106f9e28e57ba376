// Every scenario, in the order they run. Each lives in its own module.
import type { Scenario } from '../lib/scenario.js';

export const SCENARIOS: Scenario[] = [];

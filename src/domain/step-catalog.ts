// What validation needs to know about the step types a deployment offers:
// their names and, optionally, a static check of each type's params. The
// composition root builds it from the registered runners; the domain never
// imports a runner.

/** One problem in a step's params; `path` is relative to params (`/url`). */
export interface ParamProblem {
  path: string;
  message: string;
}

/** Static checks of a type's params (templates may stand for any value). */
export type ParamCheck = (params: Record<string, unknown>) => ParamProblem[];

export interface StepCatalog {
  /** Types that have a runner; engine-handled types (`delay`) are added by validation. */
  types: ReadonlySet<string> | readonly string[];
  checkParams?: Readonly<Record<string, ParamCheck>>;
}

export function catalogTypes(catalog: StepCatalog): Set<string> {
  return new Set(catalog.types);
}

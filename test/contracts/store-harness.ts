// What a contract suite needs from an adapter under test: a fresh, empty
// store and a way to throw it away. Each test gets its own (its own SQLite
// file, its own schema or key prefix), so suites are parallel-safe.
export interface StoreHarness<T> {
  store: T;
  cleanup(): Promise<void>;
}

export type StoreFactory<T> = () => Promise<StoreHarness<T>>;

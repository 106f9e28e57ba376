// Runs every store contract against the SQL adapter on SQLite: each test gets
// a fresh database file in its own temp directory, removed afterwards.
import { createTestDatabase } from '../support/test-database.js';
import { sqlStoreContracts } from './sql-store-contracts.js';

sqlStoreContracts('SQLite', () => createTestDatabase('sqlite'));

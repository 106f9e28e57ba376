// Runs every store contract against the SQL adapter on the real MariaDB server
// of this machine: each test gets its own database (tasker_t_<random>),
// removed afterwards. A server that does not answer fails every test.
import { afterAll } from 'vitest';
import { sharedServer } from '../support/test-database.js';
import { sqlStoreContracts } from './sql-store-contracts.js';

const server = sharedServer('mariadb');
afterAll(() => server.close());

sqlStoreContracts('MariaDB', () => server.create());

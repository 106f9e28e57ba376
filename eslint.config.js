// ESLint flat config: typescript-eslint's recommended rules, plus the one
// architectural rule we enforce mechanically: src/domain imports nothing
// from outside itself (no node: I/O, no adapters, no drivers).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/peers/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'crypto', 'child_process'], message: 'domain is pure: no Node I/O' },
          { group: ['**/adapters/**', '**/app/**', '**/ports/**', 'fastify*', 'kysely', 'better-sqlite3', 'pino', 'undici'], message: 'domain imports nothing outside itself' },
        ],
      }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain reads no clock: pass time in' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'domain reads no clock' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/cli/**'],
    rules: { 'no-console': 'error' },
  },
);

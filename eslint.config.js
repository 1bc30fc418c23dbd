// Lint: strict type-aware rules and import boundaries between layers (STYLE.md §9, §10).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'client', 'test/e2e/screenshots', '**/*.svelte', 'eslint.config.js', 'stryker.config.mjs', 'reports', '.stryker-tmp'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // The WAL checkpointer's worker thread is plain JavaScript that Node loads as it is.
    files: ['server/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': boundary(['**/server/**', '**/client/**', 'express', 'mongoose', 'better-sqlite3', 'socket.io'], 'shared/ imports neither side') },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        ['**/transport/**', '**/channels/**', '**/store/sqlite/**', '**/store/mongo/**', 'express', 'socket.io', 'ws', 'mongoose', 'better-sqlite3', 'redis', 'nodemailer'],
        'domain code talks to the Store port and its own outbound ports only, and knows no transport or channel',
      ),
    },
  },
  {
    files: ['server/transport/**/*.ts'],
    rules: { 'no-restricted-imports': boundary(['**/store/sqlite/**', '**/store/mongo/**', 'mongoose', 'better-sqlite3'], 'transports call domain services, never the Store') },
  },
  {
    files: ['test/**/*.ts', 'vite.config.ts', 'eslint.config.js'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Tests read JSON replies of the API under test; typing every body would restate docs/api.md.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);

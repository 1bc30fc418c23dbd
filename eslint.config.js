// Lint: strict type-aware rules and import boundaries between layers (STYLE.md §9, §10),
// for the server, shared code, tests and the client (TypeScript and Svelte components alike).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const boundary = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'client/node_modules',
      'dist',
      'data',
      'test/e2e/screenshots',
      // The service worker: plain JavaScript run by the browser as it is (no module graph, no tsconfig).
      'client/public/sw.js',
      'eslint.config.js',
      'stryker.config.mjs',
      'reports',
      '.stryker-tmp',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...svelte.configs.recommended,
  {
    // Each file is checked with the tsconfig that includes it: client/tsconfig.json for client/, the root one elsewhere.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] } },
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
    // Svelte components: <script lang="ts"> parsed by typescript-eslint, with the same type-aware rules.
    files: ['client/**/*.svelte', 'client/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, svelteConfig: {} } },
    rules: {
      // TypeScript (svelte-check) already knows every name in scope, runes and DOM globals included.
      'no-undef': 'off',
    },
  },
  {
    // The client talks REST only through src/lib/api.ts, by route key of shared/protocol/routes.ts.
    files: ['client/src/**/*.ts', 'client/src/**/*.svelte'],
    ignores: ['client/src/lib/api.ts', 'client/**/*.test.ts', 'client/src/test/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Call the REST API through src/lib/api.ts, by route key.' },
        { name: 'XMLHttpRequest', message: 'Upload through src/lib/api.ts (upload), by route key.' },
      ],
    },
  },
  {
    // State classes keep collections in $state.raw and replace them whole (the immutable updates
    // STYLE.md §12 asks for); this rule reports every Map, Set or URL built anywhere in an exported
    // class, a temporary being filled before it replaces the old one included.
    files: ['client/**/*.svelte.ts'],
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    // The WAL checkpointer's worker thread and the build scripts are plain JavaScript that Node loads as it is.
    files: ['server/**/*.mjs', 'scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(['**/server/**', '**/client/**', 'express', 'mongoose', 'better-sqlite3', 'socket.io'], 'shared/ imports neither side'),
    },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          '**/transport/**',
          '**/channels/**',
          '**/store/sqlite/**',
          '**/store/mongo/**',
          'express',
          'socket.io',
          'ws',
          'mongoose',
          'better-sqlite3',
          'redis',
          'nodemailer',
        ],
        'domain code talks to the Store port and its own outbound ports only, and knows no transport or channel',
      ),
    },
  },
  {
    files: ['server/transport/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        ['**/store/sqlite/**', '**/store/mongo/**', 'mongoose', 'better-sqlite3'],
        'transports call domain services, never the Store',
      ),
    },
  },
  {
    files: ['test/**/*.ts', 'client/**/*.test.ts', 'client/src/test/**', 'vite.config.ts', 'eslint.config.js'],
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

// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/**
 * Layer boundaries (design/STYLE.md §2): bots are GraphQL clients; services and the notifications
 * module know no framework. Bots may share exactly one file of notifications/: the callback-data formats.
 */
const BOT_FORBIDDEN = [
  { group: ['**/services/**', '**/entities/**', '**/db/**', '**/jobs/**', '**/resolvers/**', '**/worker/**', '**/clients/**'], message: 'Bots talk to the API through GraphQL only.' },
  { group: ['**/notifications/**', '!**/notifications/callback-data'], message: 'Bots may import only the shared callback-data formats from notifications/.' },
  { group: ['@mikro-orm/*', 'pg', 'graphile-worker', 'type-graphql', '@apollo/*'], message: 'Bots talk to the API through GraphQL only.' },
];
const SERVICE_FORBIDDEN = [
  { group: ['type-graphql', '@apollo/*', 'grammy', '@grammyjs/*', 'graphile-worker', 'graphql'], message: 'Services are framework-free: no GraphQL, grammY or graphile-worker.' },
  { group: ['**/resolvers/**', '**/bots/**', '**/jobs/**', '!**/jobs/enqueue', '**/worker/**', '**/main/**', '**/http/**'], message: 'Services must not depend on the layers that call them (jobs/enqueue is the one allowed: enqueueing belongs to the domain transaction).' },
];

const CORE_FORBIDDEN = [
  { group: ['**/services/**', '**/notifications/**', '**/resolvers/**', '**/jobs/**', '**/worker/**', '**/main/**', '**/http/**', '**/bots/**'], message: 'The database core and entities depend on no layer above them; wire such things in src/main.' },
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { sourceType: 'module' }, globals: { process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'error',
    },
  },
  { files: ['src/bots/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: BOT_FORBIDDEN }] } },
  { files: ['src/services/**/*.ts', 'src/notifications/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: SERVICE_FORBIDDEN }] } },
  { files: ['src/db/**/*.ts', 'src/entities/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: CORE_FORBIDDEN }] } },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.js', '*.js', 'src/simulators/**/main.ts'], rules: { 'no-console': 'off' } },
);

// ESLint flat config: the recommended JS, TypeScript and Svelte rules, with formatting left to
// Prettier (eslint-config-prettier turns off the rules it would fight with).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'playwright-report/', 'screenshots/', 'src/lib/paraglide/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig }
    }
  },
  {
    files: ['**/*.ts', '**/*.svelte'],
    // TypeScript already reports undefined names, and knows the ambient ones (__BUILD_VERSION__).
    rules: { 'no-undef': 'off' }
  },
  {
    rules: {
      // The app is served from the root (no paths.base), so a plain "/overview" is already the
      // resolved path; wrapping every link in resolve() would add nothing.
      'svelte/no-navigation-without-resolve': 'off',
      // Unused names are errors, except those that say they are unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }]
    }
  },
  {
    // design.md's layers: pages and components get what they need from session/, never from the
    // protocol or the transports directly.
    files: ['src/lib/ui/**', 'src/routes/**'],
    // Tests may build their inputs from lower layers' fixtures; the product code may not.
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['$lib/protocol', '$lib/protocol/*', '$lib/transport', '$lib/transport/*', '**/protocol/*', '**/transport/*'],
              message: 'Import it from $lib/session (types: $lib/session/types).'
            },
            {
              // The engines beside storage/ too: session/ re-exports what pages need.
              group: [...['params', 'firmware', 'history', 'stats', 'storage', 'report', 'sim'].flatMap((d) => [`$lib/${d}`, `$lib/${d}/*`])],
              message: 'Import it from a $lib/session module that re-exports it (design.md: pages talk to session/ only).'
            }
          ]
        }
      ]
    }
  }
);

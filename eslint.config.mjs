import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'imports/**', 'dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'eqeqeq': ['error', 'smart'],
      'no-console': 'error',
      'prefer-const': 'error',
      // cdk8s style: `interface FooProps extends BarProps {}` leaves room to grow.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
);

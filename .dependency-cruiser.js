// The import rules of docs/architecture.md, "Tiers": no cycle, and every import points
// down: tools → services and gateway → foundation (packages/common, packages/embedded).
// Run by `npm run lint` (so by `npm test`); workspace packages resolve to their sources.
const ABOVE_FOUNDATION = '^(services|gateway|tools|test|bench|examples)/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycle, however long.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'foundation-imports-down-only',
      severity: 'error',
      comment:
        'The foundation (product code and its own tests) imports no service, gateway, tool, and not @polystore/testing, which builds on it.',
      from: { path: '^packages/(common|embedded)/' },
      to: { path: [ABOVE_FOUNDATION, '^packages/testing/'] },
    },
    {
      name: 'test-helpers-on-the-foundation',
      severity: 'error',
      comment: "@polystore/testing builds on the foundation only, so every package's tests may use it.",
      from: { path: '^packages/testing/' },
      to: { path: ABOVE_FOUNDATION },
    },
    {
      name: 'product-code-imports-no-test-helper',
      severity: 'error',
      comment: 'Source files never import test helpers.',
      from: { path: '/src/', pathNot: '^packages/testing/' },
      to: { path: ['^packages/testing/', '/test/'] },
    },
    {
      name: 'service-imports-no-other-service',
      severity: 'error',
      comment:
        "A subgraph's code imports the foundation, never another subgraph, the gateway or the tools; its tests may also use the sql-subgraph's test bed.",
      from: { path: '^services/([^/]+)/' },
      to: {
        path: '^(services|gateway|tools|test|bench|examples)/',
        pathNot: '^services/($1|sql-subgraph/test/support)/',
      },
    },
    {
      name: 'gateway-imports-no-service',
      severity: 'error',
      comment: 'The gateway reaches subgraphs over HTTP only.',
      from: { path: '^gateway/' },
      to: { path: '^(services|tools|test|bench|examples)/' },
    },
    {
      name: 'tools-import-no-tests',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(test|bench|examples)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|generated|\\.data|\\.local)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

/**
 * The folder import rules of ../shared/design/architecture.md:
 * domain → nothing of ours; handlers → domain; engine → domain, handlers; persistence → domain;
 * notifications → domain; services → domain, engine, handlers, persistence, notifications;
 * web → services, domain; client → browser packages only; src/app.ts wires everything.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports`,
  comment: `src/${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^(src|seed)/',
    pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)],
  },
});

module.exports = {
  forbidden: [
    layer('domain', []),
    layer('handlers', ['domain']),
    layer('engine', ['domain', 'handlers']),
    layer('persistence', ['domain']),
    layer('notifications', ['domain']),
    layer('services', ['domain', 'engine', 'handlers', 'persistence', 'notifications']),
    layer('web', ['services', 'domain']),
    layer('client', []),
    {
      name: 'only-engine-imports-bpmn-engine',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/engine/' },
      to: { path: 'node_modules/(bpmn-engine|bpmn-elements)/' },
    },
    {
      name: 'handlers-stay-pure',
      comment: 'handlers never import express, sequelize or bpmn-engine',
      severity: 'error',
      from: { path: '^src/handlers/' },
      to: { path: 'node_modules/(express|sequelize|bpmn-engine|bpmn-elements)/' },
    },
    {
      name: 'client-browser-packages-only',
      comment:
        'src/client runs in the browser: it imports browser packages only (form-js viewer, the bpmn-js viewer and modeler with their properties panel, translations, minimap and element templates, and their CSS), never Node built-ins or server packages',
      severity: 'error',
      from: { path: '^src/client/' },
      to: {
        path: 'node_modules/',
        pathNot:
          'node_modules/(@bpmn-io/form-js-viewer|@bpmn-io/form-js-editor|echarts|zrender|@bpmn-io/properties-panel|@bpmn-io/element-template-chooser|bpmn-js|bpmn-js-properties-panel|bpmn-js-i18n|bpmn-js-element-templates|diagram-js-minimap|camunda-bpmn-js-behaviors|zeebe-bpmn-moddle)/',
      },
    },
    {
      name: 'client-no-node-builtins',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^test/' },
  },
};

import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule } from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import minimapModule from 'diagram-js-minimap';
import { CloudElementTemplatesPropertiesProviderModule } from 'bpmn-js-element-templates';
import ElementTemplateChooserModule from '@bpmn-io/element-template-chooser';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import '@bpmn-io/element-template-chooser/dist/element-template-chooser.css';
import lintModule from 'bpmn-js-bpmnlint';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import tokenSimulationModule from 'bpmn-js-token-simulation';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';
import { api, ApiError, clearErrors, mount, showError, type ErrorDetail } from '../api';
import { translateModule } from '../studio/translate';
import { compare, DIFF_WORDS, type DiffEntry } from '../studio/diff';
import { govflowBpmnlint } from '../../lint/bpmnlint-plugin';

interface Deployed {
  key: string;
  version: number;
  duplicate: boolean;
}
interface Shape {
  id: string;
  type?: string;
  businessObject?: ModdleElement;
}
interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  extensionElements?: ModdleElement;
  values?: ModdleElement[];
  candidateGroups?: string;
  [k: string]: unknown;
}
interface GroupOption {
  key: string;
  name: string;
}
interface HandlerOption {
  name: string;
}
/** bpmn-js-bpmnlint's issues, grouped by the element they are shown on */
type LintIssues = Record<string, { id: string; message: string; actualElementId?: string }[]>;
interface Registry {
  get(id: string): Shape | undefined;
  getAll(): Shape[];
}
interface Canvas {
  zoom(level?: string | number): number;
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
  scrollToElement(el: Shape): void;
}
interface Overlays {
  add(id: string, type: string, o: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}

const MARKER = 'studio-problem';

/**
 * The modeler: the latest version in bpmn-js with the properties panel (zeebe provider) and the handler
 * catalogue as element templates (GET /api/element-templates, applied through the template chooser), in Chinese,
 * with the minimap, keyboard and undo bpmn-js gives; deployed as the next version with a change note
 * through POST /api/process-definitions. The server's refusals (422, each naming its element) are
 * listed and marked on the elements.
 */
mount('modeler', async (root) => {
  const key = root.dataset.key!;
  const res = await fetch(root.dataset.xmlUrl!, { credentials: 'same-origin', headers: { Accept: 'application/xml' } });
  if (!res.ok) throw new ApiError(res.status, 'error', `无法读取流程图（${res.status}）`);
  // the handler catalogue as Camunda 8 element templates: a task becomes a handler by a pick from the list
  const [templates, groups, handlers] = await Promise.all([
    api<unknown[]>('GET', '/api/element-templates'),
    api<GroupOption[]>('GET', '/api/groups'),
    api<HandlerOption[]>('GET', '/api/handlers'),
  ]);
  const deployedXml = await res.text();
  // the deploy's own rules, live (src/lint): the installation's handlers and groups from the API; forms
  // are checked by the server against this deployment and the stored forms, as on deploy
  const handlerNames = new Set(handlers.map((h) => h.name));
  const groupKeys = new Set(groups.map((g) => g.key));
  const lintSetup = govflowBpmnlint({ hasHandler: (t) => handlerNames.has(t), hasGroup: (g) => groupKeys.has(g), hasForm: () => true });
  const modeler = new Modeler({
    container: root.querySelector<HTMLElement>('[data-canvas]')!,
    propertiesPanel: { parent: root.querySelector<HTMLElement>('[data-properties]')! },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      CloudElementTemplatesPropertiesProviderModule,
      ElementTemplateChooserModule,
      ZeebeBehaviorsModule,
      minimapModule,
      lintModule,
      tokenSimulationModule,
      translateModule,
    ],
    linting: { bpmnlint: lintSetup, active: true },
    elementTemplates: templates,
    moddleExtensions: { zeebe },
  });
  const { warnings } = await modeler.importXML(deployedXml);
  if (warnings.length) root.dataset.warnings = String(warnings.length);
  const canvas = modeler.get<Canvas>('canvas');
  const registry = modeler.get<Registry>('elementRegistry');
  const overlays = modeler.get<Overlays>('overlays');
  const selection = modeler.get<{ select(el: Shape): void }>('selection');
  const commandStack = modeler.get<{ undo(): void; redo(): void }>('commandStack');
  canvas.zoom('fit-viewport');

  const status = root.querySelector<HTMLElement>('[data-status]')!;
  const problems = root.querySelector<HTMLElement>('[data-problems]')!;
  const note = root.querySelector<HTMLTextAreaElement>('textarea[name=note]')!;
  const deployButton = root.querySelector<HTMLButtonElement>('[data-action="deploy"]')!;
  const eventBus = modeler.get<{ on(event: string | string[], fn: (e: never) => void): void }>('eventBus');
  const linting = modeler.get<{ lint(): Promise<Record<string, { id?: string; message: string }[]>> }>('linting');
  const moddle = modeler.get<{ fromXML(xml: string, type: string): Promise<{ rootElement: ModdleElement }> }>('moddle');
  const bpmnjs = modeler as unknown as { getDefinitions(): ModdleElement };
  let marked: string[] = [];

  const locate = (id: string | null | undefined) => {
    const el = id ? registry.get(id) : undefined;
    if (!el) return undefined;
    return () => {
      // a whole process fitted to the screen is too small to read: show the element at 100 %
      if (canvas.zoom() < 0.8) canvas.zoom(1);
      canvas.scrollToElement(el);
      selection.select(el);
    };
  };
  const clearProblems = () => {
    for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, MARKER);
    marked = [];
    overlays.remove({ type: MARKER });
    problems.querySelector('ol')!.replaceChildren();
    problems.hidden = true;
  };
  /** a refusal (the lint's before the deploy, or the server's) in the list and on each offending element */
  const showProblems = (details: ErrorDetail[], heading: string) => {
    problems.querySelector('h2')!.textContent = heading;
    const list = problems.querySelector('ol')!;
    const perElement = new Map<string, string[]>();
    for (const d of details) {
      const li = document.createElement('li');
      li.textContent = d.message;
      const go = locate(d.elementId);
      if (go && d.elementId) {
        li.dataset.elementId = d.elementId;
        li.title = '点击定位到该元素';
        li.addEventListener('click', go);
        perElement.set(d.elementId, [...(perElement.get(d.elementId) ?? []), d.message]);
      }
      list.append(li);
    }
    for (const [id, messages] of perElement) {
      canvas.addMarker(id, MARKER);
      marked.push(id);
      const badge = document.createElement('div');
      badge.className = 'studio-problem-badge';
      badge.dataset.problemOf = id;
      badge.textContent = String(messages.length);
      badge.title = messages.join('\n');
      overlays.add(id, MARKER, { position: { top: -10, right: 10 }, html: badge });
    }
    problems.hidden = !details.length;
  };

  // the lint, live: bpmn-js-bpmnlint marks the elements; the list says the same in words
  const lintBox = root.querySelector<HTMLElement>('[data-lint]')!;
  eventBus.on('linting.completed', (e: { issues: LintIssues }) => {
    const items = Object.entries(e.issues).flatMap(([shownOn, list]) => list.map((i) => ({ elementId: i.actualElementId ?? shownOn, message: i.message })));
    lintBox.querySelector('[data-lint-summary]')!.textContent = items.length
      ? `部署前检查：${items.length} 个问题，须修改后才能部署`
      : '部署前检查通过：没有发现问题';
    lintBox.classList.toggle('has-problems', items.length > 0);
    lintBox.querySelector('ol')!.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement('li');
        li.textContent = item.message;
        const go = locate(item.elementId);
        if (go) {
          li.dataset.elementId = item.elementId;
          li.title = '点击定位到该元素';
          li.addEventListener('click', go);
        }
        return li;
      }),
    );
    root.dataset.lintProblems = String(items.length);
  });

  // the difference from the deployed version, live: a list in words and markers on the diagram
  const diffBox = root.querySelector<HTMLElement>('[data-diff]')!;
  let baseline = (await moddle.fromXML(deployedXml, 'bpmn:Definitions')).rootElement;
  let baselineVersion = Number(root.dataset.version);
  let diffMarked: { id: string; marker: string }[] = [];
  const showDiff = () => {
    // after an import the old elements are gone (and their markers with them)
    for (const m of diffMarked) if (registry.get(m.id)) canvas.removeMarker(m.id, m.marker);
    diffMarked = [];
    let entries: DiffEntry[];
    try {
      entries = compare(baseline, bpmnjs.getDefinitions());
    } catch {
      entries = [];
    }
    diffBox.querySelector('[data-diff-summary]')!.textContent = entries.length
      ? `与已部署的 v${baselineVersion} 相比：${entries.length} 处变更`
      : `与已部署的 v${baselineVersion} 相同`;
    diffBox.querySelector('ol')!.replaceChildren(
      ...entries.map((entry) => {
        const li = document.createElement('li');
        li.dataset.diff = entry.kind;
        li.dataset.elementId = entry.elementId;
        const head = document.createElement('strong');
        head.textContent = `${DIFF_WORDS[entry.kind]} ${entry.label}`;
        li.append(head);
        for (const c of entry.changes) {
          const line = document.createElement('div');
          line.className = 'diff-change';
          line.textContent = `${c.what}：${c.before ?? '（无）'} → ${c.after ?? '（无）'}`;
          li.append(line);
        }
        const go = entry.kind === 'removed' ? undefined : locate(entry.elementId);
        if (go) {
          li.title = '点击定位到该元素';
          li.addEventListener('click', go);
          const marker = `diff-${entry.kind}`;
          canvas.addMarker(entry.elementId, marker);
          diffMarked.push({ id: entry.elementId, marker });
        }
        return li;
      }),
    );
    root.dataset.diffEntries = String(entries.length);
  };
  eventBus.on(['commandStack.changed', 'import.done'], showDiff);
  showDiff();

  root.querySelector('[data-action="undo"]')!.addEventListener('click', () => commandStack.undo());
  root.querySelector('[data-action="redo"]')!.addEventListener('click', () => commandStack.redo());
  // token simulation: play a path through the diagram (editing is off meanwhile)
  const simulate = root.querySelector<HTMLButtonElement>('[data-action="simulate"]')!;
  const toggleMode = modeler.get<{ toggleMode(active?: boolean): void }>('toggleMode');
  eventBus.on('tokenSimulation.toggleMode', (e: { active: boolean }) => {
    simulate.setAttribute('aria-pressed', String(e.active));
    simulate.textContent = e.active ? '结束模拟' : '模拟运行';
    root.classList.toggle('simulating', e.active);
    // the simulation's play buttons show from 50 % zoom on: a whole process fitted to the screen is
    // smaller, so the simulation starts at 100 % at least, with the (first) start event in view
    const start = registry.getAll().find((el) => el.type === 'bpmn:StartEvent');
    if (e.active && start) {
      if (canvas.zoom() < 0.6) canvas.zoom(1);
      canvas.scrollToElement(start);
    }
  });
  simulate.addEventListener('click', () => toggleMode.toggleMode());

  // export the draft; import a .bpmn file in its place (the deployed version stays the baseline of the diff)
  root.querySelector('[data-action="download"]')!.addEventListener('click', async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([xml ?? ''], { type: 'application/xml' }));
    a.download = `${key}-draft.bpmn`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  const fileInput = root.querySelector<HTMLInputElement>('input[data-action="import"]')!;
  let imports = 0;
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    clearErrors(root);
    clearProblems();
    delete root.dataset.importError;
    try {
      toggleMode.toggleMode(false);
      const result = await modeler.importXML(await file.text());
      canvas.zoom('fit-viewport');
      root.dataset.importWarnings = String(result.warnings.length);
      status.textContent = `已打开 ${file.name}${result.warnings.length ? `（${result.warnings.length} 处内容无法识别，已忽略）` : ''}：部署前请检查下方的问题和变更。`;
      status.hidden = false;
    } catch (err) {
      root.dataset.importError = (err as Error)?.message ?? String(err);
      showError(new ApiError(0, 'import', `无法打开 ${file.name}：不是有效的 BPMN 文件（${(err as Error)?.message ?? String(err)}）`), root);
    } finally {
      root.dataset.imported = file.name;
      root.dataset.imports = String(++imports);
      fileInput.value = '';
    }
  });

  deployButton.addEventListener('click', async () => {
    clearErrors(root);
    clearProblems();
    status.hidden = true;
    deployButton.disabled = true;
    try {
      // the deploy's own rules first: a diagram the server would refuse is not sent
      const reports = await linting.lint();
      const found: ErrorDetail[] = Object.values(reports).flatMap((list) => list.map((r) => ({ elementId: r.id, message: r.message })));
      if (found.length) {
        showError(new ApiError(422, 'lint', `流程图不可部署：部署前检查发现 ${found.length} 个问题，请先修改`), root);
        showProblems(found, '部署前检查未通过：请修改以下问题');
        root.dataset.refused = 'lint';
        return;
      }
      const { xml } = await modeler.saveXML({ format: true });
      const d = await api<Deployed>('POST', '/api/process-definitions', { xml, note: note.value.trim() || null });
      status.replaceChildren();
      const link = document.createElement('a');
      link.href = `/processes/${encodeURIComponent(d.key)}/versions/${d.version}`;
      link.textContent = `查看 v${d.version}`;
      status.append(d.duplicate ? `与 v${d.version} 完全相同，未产生新版本。` : `已部署为 v${d.version}。新发起的实例将使用此版本。`, ' ', link);
      status.hidden = false;
      root.dataset.deployedVersion = String(d.version);
      if (!d.duplicate) note.value = '';
      // what is deployed now is the baseline of the diff
      baseline = (await moddle.fromXML(xml ?? '', 'bpmn:Definitions')).rootElement;
      baselineVersion = d.version;
      showDiff();
    } catch (err) {
      if (err instanceof ApiError && err.details.some((x) => x.elementId || !x.field)) {
        showError(new ApiError(err.status, err.code, err.message), root);
        showProblems(err.details, '服务器拒绝部署：请修改以下问题');
        root.dataset.refused = 'server';
      } else showError(err, root);
    } finally {
      deployButton.disabled = false;
    }
  });
  groupPicker(modeler, root, groups);
  formLink(modeler, root);
  root.dataset.elements = String(registry.getAll().length);
  root.dataset.templates = String(templates.length);
});

/**
 * Candidate groups picked from the organisation's real groups (GET /api/groups), not typed: shown for
 * the selected user task, written to its zeebe:assignmentDefinition (the properties panel shows the
 * same value; undo works). A group the organisation does not have is shown in red; an expression is
 * left to the panel.
 */
function groupPicker(modeler: Modeler, root: HTMLElement, groups: GroupOption[]) {
  const box = root.querySelector<HTMLFieldSetElement>('[data-group-picker]')!;
  const options = box.querySelector<HTMLElement>('[data-group-options]')!;
  const note = box.querySelector<HTMLElement>('[data-group-picker-note]')!;
  const eventBus = modeler.get<{ on(event: string, fn: (e: { newSelection?: Shape[]; elements?: Shape[] }) => void): void }>('eventBus');
  const modeling = modeler.get<{
    updateProperties(el: Shape, props: Record<string, unknown>): void;
    updateModdleProperties(el: Shape, target: ModdleElement, props: Record<string, unknown>): void;
  }>('modeling');
  const moddle = modeler.get<{ create(type: string, attrs?: Record<string, unknown>): ModdleElement }>('moddle');
  let current: Shape | null = null;

  const assignment = (el: Shape) => el.businessObject?.extensionElements?.values?.find((v) => v.$type === 'zeebe:AssignmentDefinition');
  const write = (el: Shape, keys: string[]) => {
    const bo = el.businessObject!;
    const value = keys.length ? keys.join(',') : undefined;
    let ext = bo.extensionElements;
    if (!ext) {
      ext = moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      modeling.updateProperties(el, { extensionElements: ext });
    }
    const a = assignment(el);
    if (a) modeling.updateModdleProperties(el, a, { candidateGroups: value });
    else if (value) {
      const created = moddle.create('zeebe:AssignmentDefinition', { candidateGroups: value });
      created.$parent = ext;
      modeling.updateModdleProperties(el, ext, { values: [...(ext.values ?? []), created] });
    }
  };
  const render = () => {
    box.hidden = !current;
    if (!current) return;
    const raw = assignment(current)?.candidateGroups ?? '';
    const expression = raw.trim().startsWith('=');
    note.hidden = !expression;
    const chosen = expression ? [] : raw.split(',').map((g) => g.trim()).filter(Boolean);
    const known = new Set(groups.map((g) => g.key));
    const all: (GroupOption & { unknown?: boolean })[] = [...groups, ...chosen.filter((k) => !known.has(k)).map((k) => ({ key: k, name: `${k}（组织机构中不存在）`, unknown: true }))];
    options.replaceChildren(
      ...all.map((g) => {
        const label = document.createElement('label');
        if (g.unknown) label.className = 'unknown';
        label.title = g.key;
        const input = document.createElement('input');
        input.type = 'checkbox';
        input.value = g.key;
        input.checked = chosen.includes(g.key);
        input.disabled = expression;
        input.addEventListener('change', () => {
          const keys = input.checked ? [...chosen, g.key] : chosen.filter((k) => k !== g.key);
          if (current) write(current, keys);
        });
        label.append(input, ' ', g.name);
        return label;
      }),
    );
  };
  eventBus.on('selection.changed', (e) => {
    const sel = e.newSelection ?? [];
    current = sel.length === 1 && sel[0].type === 'bpmn:UserTask' ? sel[0] : null;
    render();
  });
  eventBus.on('elements.changed', (e) => {
    if (current && (e.elements ?? []).some((x) => x.id === current!.id)) render();
  });
}

/**
 * A selected user task links to the form editor (issue 9 item 5): its form (zeebe:formDefinition formId),
 * or a new form for it. The editor works on the newest deployed version, so a task added in this draft
 * gets its form after the diagram is deployed.
 */
function formLink(modeler: Modeler, root: HTMLElement) {
  const box = root.querySelector<HTMLElement>('[data-form-link]');
  if (!box) return;
  const link = box.querySelector<HTMLAnchorElement>('a')!;
  const key = root.dataset.key!;
  const en = document.documentElement.lang === 'en';
  const eventBus = modeler.get<{ on(event: string, fn: (e: { newSelection?: Shape[] }) => void): void }>('eventBus');
  eventBus.on('selection.changed', (e) => {
    const sel = e.newSelection ?? [];
    const task = sel.length === 1 && sel[0].type === 'bpmn:UserTask' ? sel[0] : null;
    box.hidden = !task;
    if (!task) return;
    const form = task.businessObject?.extensionElements?.values?.find((v) => v.$type === 'zeebe:FormDefinition') as { formId?: string } | undefined;
    const base = `/processes/${encodeURIComponent(key)}/forms/editor`;
    if (form?.formId) {
      link.href = `${base}?form=${encodeURIComponent(form.formId)}`;
      link.textContent = en ? `Edit form ${form.formId}` : `编辑表单「${form.formId}」`;
    } else {
      const suggested = `${key}-${task.id}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
      link.href = `${base}?form=${encodeURIComponent(suggested)}&task=${encodeURIComponent(task.id)}`;
      link.textContent = en ? 'New form for this task' : '为此任务新建表单';
    }
    root.dataset.formEditorHref = link.getAttribute('href') ?? '';
  });
}

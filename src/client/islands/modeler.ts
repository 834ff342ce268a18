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
import { api, ApiError, clearErrors, mount, showError, type ErrorDetail } from '../api';
import { translateModule } from '../studio/translate';

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
interface Registry {
  get(id: string): Shape | undefined;
  getAll(): Shape[];
}
interface Canvas {
  zoom(level: string): void;
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
  const [templates, groups] = await Promise.all([api<unknown[]>('GET', '/api/element-templates'), api<GroupOption[]>('GET', '/api/groups')]);
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
      translateModule,
    ],
    elementTemplates: templates,
    moddleExtensions: { zeebe },
  });
  const { warnings } = await modeler.importXML(await res.text());
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
  let marked: string[] = [];

  const clearProblems = () => {
    for (const id of marked) canvas.removeMarker(id, MARKER);
    marked = [];
    overlays.remove({ type: MARKER });
    problems.querySelector('ol')!.replaceChildren();
    problems.hidden = true;
  };
  const showProblems = (details: ErrorDetail[]) => {
    const list = problems.querySelector('ol')!;
    const perElement = new Map<string, string[]>();
    for (const d of details) {
      const li = document.createElement('li');
      li.textContent = d.message;
      const el = d.elementId ? registry.get(d.elementId) : undefined;
      if (el) {
        li.dataset.elementId = el.id;
        li.title = '点击定位到该元素';
        li.addEventListener('click', () => {
          canvas.scrollToElement(el);
          selection.select(el);
        });
        perElement.set(el.id, [...(perElement.get(el.id) ?? []), d.message]);
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

  root.querySelector('[data-action="undo"]')!.addEventListener('click', () => commandStack.undo());
  root.querySelector('[data-action="redo"]')!.addEventListener('click', () => commandStack.redo());
  root.querySelector('[data-action="download"]')!.addEventListener('click', async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([xml ?? ''], { type: 'application/xml' }));
    a.download = `${key}-draft.bpmn`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });

  deployButton.addEventListener('click', async () => {
    clearErrors(root);
    clearProblems();
    status.hidden = true;
    deployButton.disabled = true;
    try {
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
    } catch (err) {
      if (err instanceof ApiError && err.details.some((x) => x.elementId || !x.field)) {
        showError(new ApiError(err.status, err.code, err.message), root);
        showProblems(err.details);
      } else showError(err, root);
    } finally {
      deployButton.disabled = false;
    }
  });
  groupPicker(modeler, root, groups);
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

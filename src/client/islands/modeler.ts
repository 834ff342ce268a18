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
  const templates = await api<unknown[]>('GET', '/api/element-templates');
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
  root.dataset.elements = String(registry.getAll().length);
  root.dataset.templates = String(templates.length);
});

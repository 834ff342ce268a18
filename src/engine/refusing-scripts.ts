/**
 * The engine's `scripts` option: JavaScript from a diagram never runs. Deployment validation already
 * refuses script tasks and script conditions; this is defence in depth. Without it bpmn-engine would
 * install its JavaScripts handler (node:vm, which is not a sandbox) or a pass-through dummy script.
 *
 * Any element asking for a script (script task, script condition of a conditional event) gets one
 * whose execution fails, and the run becomes an incident.
 */
import type { RunContext } from './run-context';

interface ScriptOwner {
  id: string;
  type?: string;
}

interface RefusedScript {
  id: string;
  execute(executionContext: unknown, callback: (err: Error) => void): void;
}

export interface ScriptsApi {
  register(owner: ScriptOwner): undefined;
  getScript(language: string | undefined, owner: ScriptOwner): RefusedScript;
}

export function createRefusingScripts(run: RunContext): ScriptsApi {
  return {
    register() {
      return undefined;
    },
    getScript(language, owner) {
      return {
        id: owner.id,
        execute(_executionContext, callback) {
          const message = `不执行流程图中的脚本 (scripts from a diagram are refused): ${owner.type ?? 'element'} ${owner.id}${language ? ` (${language})` : ''}`;
          run.fail(owner.id, message);
          callback(new Error(message));
        },
      };
    },
  };
}

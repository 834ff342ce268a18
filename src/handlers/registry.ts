import type { HandlerDescriptor } from './handler';

export interface HandlerCatalogueEntry {
  name: string;
  title: string;
  description: string;
  category: string;
  inputs: HandlerDescriptor['inputs'];
  outputs: HandlerDescriptor['outputs'];
}

/** The named handlers service tasks may call: an explicit list, checked for duplicates at boot. */
export class HandlerRegistry {
  private readonly byName = new Map<string, HandlerDescriptor>();

  constructor(handlers: HandlerDescriptor[]) {
    for (const h of handlers) {
      if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(h.name)) throw new Error(`handler name "${h.name}" must be kebab-case`);
      if (this.byName.has(h.name)) throw new Error(`handler "${h.name}" is registered twice`);
      this.byName.set(h.name, h);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): HandlerDescriptor | undefined {
    return this.byName.get(name);
  }

  catalogue(): HandlerCatalogueEntry[] {
    return [...this.byName.values()]
      .map(({ name, title, description, category, inputs, outputs }) => ({ name, title, description, category, inputs, outputs }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

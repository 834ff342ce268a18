/** The size and nesting limits are lint rules' checks too (src/lint), so the modeler shows them before a deploy. */
export * from '../lint/deploy-limits';

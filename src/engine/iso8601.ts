/** The ISO-8601 parser lives with the lint rules (src/lint), which the browser runs too; the engine uses it from there. */
export * from '../lint/iso8601';

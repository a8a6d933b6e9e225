import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';

/** How deep a body may nest (the body itself is level 1). */
const MAX_BODY_DEPTH = 32;

/**
 * A parsed JSON body against a DTO, for the API's body pipe and the bridge's: unknown fields refused,
 * nothing coerced; the problems are one sentence per field, named by its path, unknown fields last.
 */
export function validateBody<T extends object>(dto: Type<T>, value: unknown): { value: T } | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'body must be a JSON object' };
  // class-transformer recurses into every nested value: a deeply nested body would overflow the
  // stack (a 500). No body of these APIs nests that deep; past the bound there is nothing to check.
  if (nestedDeeperThan(value, MAX_BODY_DEPTH)) return { problem: `body nests deeper than ${MAX_BODY_DEPTH} levels` };
  // Keys every object already has (`__proto__`, `constructor`, `toString`…) are dropped by
  // class-transformer and slip through class-validator's whitelist: no DTO declares one, so they
  // are unknown fields like any other.
  const inherited = Object.keys(value).filter((key) => key in Object.prototype);
  const instance = plainToInstance(dto, value);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  if (errors.length === 0 && inherited.length === 0) return { value: instance };
  return { problem: [...describeErrors(errors), ...inherited.map((key) => `unknown field ${key}`)].join('; ') };
}

function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  return Object.values(value).some((v) => nestedDeeperThan(v, levels - 1));
}

function describeErrors(errors: ValidationError[], parent = ''): string[] {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const constraints = e.constraints ?? {};
    if (constraints.whitelistValidation) {
      unknown.push(`unknown field ${path}`);
      continue;
    }
    const first = Object.values(constraints)[0];
    // Messages start with the bare property name ($property); the path replaces it.
    if (first) known.push(parent ? `${parent}.${first}` : first);
    known.push(...describeErrors(e.children ?? [], path));
  }
  return [...known, ...unknown];
}

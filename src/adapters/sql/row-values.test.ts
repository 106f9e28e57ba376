import { describe, expect, it } from 'vitest';
import { toNullableNumber, toNumber } from './row-values.js';

describe('toNumber', () => {
  it('reads a BIGINT as a driver returns it: number, digits or bigint', () => {
    expect(toNumber(42)).toBe(42);
    expect(toNumber('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toNumber(-5n)).toBe(-5);
    expect(toNullableNumber(null)).toBeNull();
  });

  it('refuses a value it could not return exactly, rather than round it', () => {
    expect(() => toNumber('9007199254740993')).toThrow(/within ±2\^53.*9007199254740993/);
    expect(() => toNumber(2n ** 60n)).toThrow(/within ±2\^53/);
    expect(() => toNumber('abc')).toThrow(/'abc'/);
    expect(() => toNumber(1.5)).toThrow(/integer/);
  });
});

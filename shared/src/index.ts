export * from './card.js';
export * from './dates.js';
export * from './errors.js';
export * from './idNumber.js';
export * from './reasons.js';
export * from './regions.js';
export * from './telecom.js';
export * from './validity.js';

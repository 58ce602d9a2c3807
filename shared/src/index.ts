export * from './availability';
export * from './errors';
export * from './health';
export * from './live';
export * from './location';
export * from './region';
export * from './session';
export * from './unit';

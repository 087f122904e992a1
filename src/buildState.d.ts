// Declarations for buildState.js (plain JavaScript: bin.js loads it before any TypeScript loader).
export declare const ROOT: string;
export declare const BUILT_CLI: string;
export declare function buildIsCurrent(): boolean;

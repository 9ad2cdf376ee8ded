/** Library composition over time, from the snapshots scans take. */
export { CompositionSchema, getLibraryComposition, LibraryCompositionSchema, type Composition, type LibraryComposition } from "./composition.ts";

import type { FaceBox } from '../../engine/face/faceModels.js';

/** Where the face was found in a prepared photo: numbers only, never an image. */
export interface FoundFace {
  /** Whether the photo was a tight crop, put in front of a blurred copy of itself. */
  backdrop: boolean;
  face: FaceBox;
}

/** A place that keeps found faces beyond this process, by key (a hash of the photo and of how it was prepared). */
export interface FoundFaceStore {
  get(key: string): Promise<FoundFace | undefined>;
  set(key: string, found: FoundFace): Promise<void>;
}

let store: FoundFaceStore | undefined;

/**
 * Keeps where the generator found faces in `kept` as well: a process that prepares a photo prepared
 * before (another run of a tool, another test file) then needs no face model at all. (A module of
 * its own, light to import: the generator's is not.)
 */
export function keepFoundFaces(kept: FoundFaceStore | undefined): void {
  store = kept;
}

export const foundFaces = (): FoundFaceStore | undefined => store;

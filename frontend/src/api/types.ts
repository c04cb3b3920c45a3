// Short names for the generated HTTP schema types.
import type { components } from "../types/api";

type Schemas = components["schemas"];
export type AnnotationOut = Schemas["AnnotationOut"];
export type CorpusOut = Schemas["CorpusOut"];
export type DocumentOut = Schemas["DocumentOut"];
export type DocumentTextOut = Schemas["DocumentTextOut"];
export type NoteOut = Schemas["NoteOut"];
export type SessionOut = Schemas["SessionOut"];
export type UserOut = Schemas["UserOut"];

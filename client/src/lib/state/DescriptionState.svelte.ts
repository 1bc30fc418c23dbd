/**
 * The shared description: a Y.Doc synced over y-websocket (`/yjs/<appealId>`),
 * kept offline in IndexedDB for writers (merged on reconnect), bound to a Tiptap
 * editor with Collaboration + CollaborationCaret; who is in the editor (from
 * awareness); the version list with view and restore.
 */
import { Editor } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import StarterKit from '@tiptap/starter-kit';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { api } from '../api';
import { EditorCloses, type EditorCloseKind } from '../realtime/editor-closes';
import type { VersionDetail, VersionSummary } from '../api-types';
import { Task } from './Task.svelte';
import type { ConnectionState, ProviderStatus } from './ConnectionState.svelte';

/** A person in the editor, from awareness (the server sets `user` from the session). */
export interface EditorPerson {
  clientId: number;
  name: string;
  role: string;
  colour: string;
  isEditing: boolean;
}

/** The URL y-websocket appends `/<appealId>` to. */
export function yjsServerUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/yjs`;
}

export class DescriptionState {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  #persistence: IndexeddbPersistence | null = null;
  #editor: Editor | null = null;
  #people = $state.raw<EditorPerson[]>([]);
  #isSynced = $state(false);
  #closeKind = $state<EditorCloseKind | null>(null);
  readonly #closes: EditorCloses;
  #versions = $state.raw<VersionSummary[]>([]);
  #viewed = $state.raw<VersionDetail | null>(null);
  /** Loading, viewing and restoring versions: one error line, and no restore while one runs. */
  readonly #versionsTask = new Task();

  constructor(
    readonly appealId: string,
    readonly connection: ConnectionState,
    canWrite: boolean,
  ) {
    // Observers never edit, and a stale local copy could carry changes the server refuses (4422).
    if (canWrite) this.#persistence = new IndexeddbPersistence(`caseroom-${appealId}`, this.doc);
    this.provider = new WebsocketProvider(yjsServerUrl(), appealId, this.doc, { disableBc: true });
    this.provider.on('status', ({ status }: { status: ProviderStatus }) => {
      connection.setProvider(status);
    });
    this.provider.on('sync', (isSynced: boolean) => {
      this.#isSynced = isSynced;
    });
    this.provider.on('closed', () => {
      connection.setProvider('disconnected');
    });
    this.#closes = new EditorCloses(this.provider, (kind) => {
      this.#closeKind = kind;
      // Access is gone: nothing typed now could reach the others.
      if (kind === 'access-lost') this.setEditable(false);
    });
    this.provider.awareness.on('change', () => {
      this.#readPeople();
    });
    connection.setProvider('connecting');
  }

  get people(): EditorPerson[] {
    return this.#people;
  }

  /** People other than me with their caret in the text now. */
  readonly editingNames: string[] = $derived(this.#people.filter((p) => p.isEditing && p.clientId !== this.doc.clientID).map((p) => p.name));

  get isSynced(): boolean {
    return this.#isSynced;
  }

  /** Why the server closed the link (editor-closes.ts), until it is connected again; null while all is well. */
  get closeKind(): EditorCloseKind | null {
    return this.#closeKind;
  }

  /** Whether typing here can still reach the others: not after access is lost or the link was refused. */
  get isOpenForEdits(): boolean {
    return this.#closeKind === null || this.#closeKind === 'paused';
  }

  get versions(): VersionSummary[] {
    return this.#versions;
  }

  get viewed(): VersionDetail | null {
    return this.#viewed;
  }

  get versionsError(): string {
    return this.#versionsTask.error;
  }

  get isRestoring(): boolean {
    return this.#versionsTask.isBusy;
  }

  /** Creates the editor in `element`. */
  mount(element: HTMLElement, options: { editable: boolean; name: string; colour: string; label: string }): void {
    this.#editor?.destroy();
    this.#editor = new Editor({
      element,
      editable: options.editable,
      // Its base styles are in app.css: an injected <style> would break the CSP (style-src 'self').
      injectCSS: false,
      editorProps: {
        attributes: { 'aria-label': options.label, 'aria-multiline': 'true', role: 'textbox', class: 'editor-content', 'data-testid': 'editor' },
      },
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ document: this.doc, field: 'default' }),
        CollaborationCaret.configure({ provider: this.provider, user: { name: options.name, color: options.colour } }),
      ],
    });
  }

  /**
   * The description's text now, one line per paragraph (as the appeal's plain
   * text reads it); null until the document has synced with the server.
   */
  plainText(): string | null {
    return this.#isSynced && this.#editor ? this.#editor.getText({ blockSeparator: '\n' }) : null;
  }

  setEditable(editable: boolean): void {
    editable &&= this.isOpenForEdits;
    if (this.#editor && this.#editor.isEditable !== editable) this.#editor.setEditable(editable);
  }

  async loadVersions(): Promise<void> {
    await this.#versionsTask.run(async () => {
      this.#versions = (await api('description.versions', { params: { id: this.appealId } })).items;
    });
  }

  async view(versionId: string): Promise<void> {
    await this.#versionsTask.run(async () => {
      this.#viewed = (await api('description.version', { params: { id: this.appealId, versionId } })).version;
    });
  }

  closeView(): void {
    this.#viewed = null;
  }

  /** Restores a version; every client converges through the Yjs link. */
  restore(versionId: string): Promise<boolean> {
    return this.#versionsTask.run(async () => {
      await api('description.restore', { params: { id: this.appealId, versionId } });
      this.#viewed = null;
      await this.loadVersions();
    });
  }

  destroy(): void {
    this.#editor?.destroy();
    this.#editor = null;
    this.#closes.stop();
    this.provider.destroy();
    void this.#persistence?.destroy();
    this.doc.destroy();
    this.connection.setProvider('none');
  }

  #readPeople(): void {
    const out: EditorPerson[] = [];
    for (const [clientId, state] of this.provider.awareness.getStates()) {
      const user = (state as { user?: { name?: unknown; role?: unknown; colour?: unknown; color?: unknown } }).user;
      if (!user || typeof user.name !== 'string') continue;
      const colour = typeof user.colour === 'string' ? user.colour : typeof user.color === 'string' ? user.color : '#4d5969';
      out.push({
        clientId,
        name: user.name,
        role: typeof user.role === 'string' ? user.role : '',
        colour,
        isEditing: Boolean((state as { cursor?: unknown }).cursor),
      });
    }
    this.#people = out;
  }
}

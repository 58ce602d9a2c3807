import { z } from 'zod';
import type { LiveModule } from '../../../server/src/live/live-module';
import type { ChangeRunner } from '../../../server/src/modules/events/change-runner';

/**
 * A throwaway domain that exists only in tests: "notes" a VO posts for itself and the
 * coordinators. It lives in this folder alone and is registered with one line
 * (`live.extraModules`), which is all a real domain needs on the server's live side.
 */
export const Note = z.object({ id: z.int(), organisationId: z.int(), text: z.string() });
type Note = z.infer<typeof Note>;
const NotePosted = z.object({ note: Note });

let nextId = 1;

export function postNote(changes: ChangeRunner, organisationId: number, text: string) {
  const note: Note = { id: nextId++, organisationId, text };
  return changes.run(async (ctx) => {
    ctx.emit({
      type: 'note.posted',
      actorUserId: null,
      organisationId,
      regionId: null,
      audience: { roles: ['coordinator'], organisationIds: [organisationId], regionIds: [] },
      data: { note },
    });
    return note;
  });
}

export function notesLiveModule(): LiveModule {
  const notes = new Map<number, Note>();
  const forViewer = (note: Note, own: boolean) => (own ? note : { ...note, text: '(privé)' });
  return {
    name: 'notes',
    events: { 'note.posted': NotePosted },
    load: async () => void notes.clear(),
    apply(event) {
      const { note } = event.data as z.infer<typeof NotePosted>;
      notes.set(note.id, note);
    },
    project(event, _viewer, cls) {
      const { note } = event.data as z.infer<typeof NotePosted>;
      return [{ slice: 'notes', key: note.id, value: forViewer(note, cls === 'own') }];
    },
    snapshot(viewer) {
      const visible = [...notes.values()].filter(
        (n) => viewer.role === 'coordinator' || n.organisationId === viewer.organisationId,
      );
      return {
        notes: visible.map((n) => forViewer(n, n.organisationId === viewer.organisationId)),
      };
    },
  };
}

import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

import { messageOf } from "../../api/errors";
import { useCreateCorpus } from "../../api/queries";

export function CreateCorpusForm({ onDone }: { onDone: () => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const create = useCreateCorpus();
  const navigate = useNavigate();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { title: title.trim(), description: description.trim() },
      { onSuccess: (corpus) => void navigate(`/corpora/${corpus.id}`) },
    );
  };

  return (
    <form className="create-corpus card" onSubmit={submit} aria-label="New corpus">
      <label className="field">
        Title
        <input className="input" required maxLength={255} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus />
      </label>
      <label className="field">
        Description
        <textarea className="textarea" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {create.isError && (
        <div className="alert" role="alert">
          {messageOf(create.error)}
        </div>
      )}
      <div className="create-corpus__actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={create.isPending || !title.trim()}>
          Create corpus
        </button>
      </div>
    </form>
  );
}

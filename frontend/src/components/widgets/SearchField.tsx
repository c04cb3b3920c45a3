export function SearchField(props: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <div className="search-field">
      <span aria-hidden="true" className="search-field__icon">⌕</span>
      <input
        className="input"
        type="search"
        aria-label={props.label}
        placeholder={props.label}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}

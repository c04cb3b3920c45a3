import { Link } from "react-router";

import { useSignOut } from "../../api/queries";

export function AppHeader({ username }: { username: string }) {
  const signOut = useSignOut();
  return (
    <header className="app-header">
      <Link to="/" className="app-header__brand" aria-label="OpenContracts library">
        <span className="app-header__logo" aria-hidden="true">OC</span>
        <span>OpenContracts</span>
      </Link>
      <nav aria-label="Main">
        <Link to="/" className="button button--ghost button--small">Library</Link>
      </nav>
      <div className="app-header__spacer" />
      <div className="app-header__user">
        <span>
          <span className="app-header__name">Signed in as </span>
          <strong data-testid="current-user">{username}</strong>
        </span>
        <button
          type="button"
          className="button button--small"
          onClick={() => signOut.mutate()}
          disabled={signOut.isPending}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}

import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <main className="page">
      <div className="state card">
        <h1>Page not found</h1>
        <p className="muted">
          There is nothing at this address. <Link to="/">Go to the library</Link>.
        </p>
      </div>
    </main>
  );
}

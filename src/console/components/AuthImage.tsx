import { useEffect, useState } from 'preact/hooks';
import { getBlob } from '../services/api.ts';

/** An image behind the API's bearer auth: fetched as a Blob and shown through an object URL. */
export function AuthImage({ src, alt, class: className }: { readonly src: string; readonly alt: string; readonly class?: string }) {
  const [url, setUrl] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | undefined;
    let live = true;
    const sameOrigin = new URL(src, location.href).origin === location.origin;
    if (!sameOrigin) {
      setFailed(true); // the CSP allows local images only: the hub must proxy camera snapshots
      return;
    }
    getBlob(src).then(
      (blob) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [src]);
  if (failed) return <span class={`img-missing ${className ?? ''}`}>{alt}</span>;
  if (!url) return <span class={`img-loading ${className ?? ''}`} aria-busy="true" />;
  return (
    <a href={url} target="_blank" rel="noopener">
      <img src={url} alt={alt} class={className} />
    </a>
  );
}

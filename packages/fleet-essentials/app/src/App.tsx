import {
  Alert,
  AlertActionCloseButton,
  AlertGroup,
  Banner,
  Bullseye,
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  SkipToContent,
  Spinner,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from '@patternfly/react-core';
import UserIcon from '@patternfly/react-icons/dist/esm/icons/user-icon';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api.ts';
import { ClusterList } from './ClusterList.tsx';
import { ClusterPage } from './ClusterPage.tsx';
import { CreateCluster } from './CreateCluster.tsx';
import { Extension, safeMode as inSafeMode, useExtensions } from './ExtensionSlot.tsx';
import { entriesFor } from './extensions.ts';
import { INFRASTRUCTURE_KINDS, Infrastructure, type InfrastructureKind } from './Infrastructure.tsx';
import { queryKeys, useLiveUpdates } from './query.ts';
import { SignIn } from './SignIn.tsx';
import { dismiss, useToasts } from './toasts.ts';

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#/, '') || '/clusters';
}

interface Session {
  username: string;
  csrfToken: string;
}

/** The signed-in user, or null; a 401 is "not signed in", not an error. */
function useSession() {
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await api<Session>('GET', '/api/session');
        setCsrfToken(session.csrfToken);
        return session;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

const MAIN_ID = 'fleet-main';

export function App() {
  const client = useQueryClient();
  const session = useSession();
  const route = useHashRoute();
  const safeMode = inSafeMode();
  const user = session.data?.username;
  useLiveUpdates(user !== undefined);

  if (session.isPending)
    return (
      <Bullseye>
        <Spinner aria-label="Loading" />
      </Bullseye>
    );
  if (!user)
    return (
      <SignIn
        onSignedIn={(signed) => {
          client.setQueryData(queryKeys.session, signed);
        }}
      />
    );
  const detail = route.match(/^\/clusters\/([^/]+)\/([^/]+)$/);
  const infrastructure = route.match(/^\/infrastructure\/([a-z-]+)(?:\/([^/]+))?$/);
  const create = route.match(/^\/create(?:\/([^/]+))?(?:\/([^/]+))?$/);
  const decode = (part: string | undefined, fallback: string) => (part ? decodeURIComponent(part) : fallback);
  const section =
    detail || !(infrastructure || create) ? 'clusters' : infrastructure ? 'infrastructure' : 'create';

  const signOut = () =>
    void api('DELETE', '/api/session').finally(() => {
      client.clear();
      client.setQueryData(queryKeys.session, null);
    });

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Global navigation" />
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo href="#/clusters" className="ii-brand">
            Fleet Essentials
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarGroup align={{ default: 'alignEnd' }} gap={{ default: 'gapMd' }}>
              <ToolbarItem>
                <span className="ii-user" data-user={user}>
                  <UserIcon /> signed in as {user}
                </span>
              </ToolbarItem>
              <ToolbarItem>
                <Button variant="secondary" size="sm" onClick={signOut}>
                  Sign out
                </Button>
              </ToolbarItem>
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );

  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Fleet Essentials">
          <NavList>
            <NavItem itemId="clusters" isActive={section === 'clusters'} to="#/clusters">
              Clusters
            </NavItem>
            <NavItem itemId="create" isActive={section === 'create'} to="#/create/default">
              Create cluster
            </NavItem>
            <NavItem
              itemId="infrastructure"
              isActive={section === 'infrastructure'}
              to="#/infrastructure/credentials/default"
            >
              Infrastructure
            </NavItem>
            {!safeMode && <NavigationItems />}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  return (
    <Page
      masthead={masthead}
      sidebar={sidebar}
      isManagedSidebar
      mainContainerId={MAIN_ID}
      skipToContent={
        <SkipToContent
          href={`#${MAIN_ID}`}
          onClick={(event) => {
            // The app routes by the hash: focus the content without changing it.
            event.preventDefault();
            document.getElementById(MAIN_ID)?.focus();
          }}
        >
          Skip to content
        </SkipToContent>
      }
      banner={
        safeMode ? (
          <Banner color="yellow" screenReaderText="Safe mode">
            Safe mode: no extensions are loaded.
          </Banner>
        ) : undefined
      }
    >
      {detail ? (
        <ClusterPage
          key={route}
          namespace={decodeURIComponent(detail[1] as string)}
          name={decodeURIComponent(detail[2] as string)}
        />
      ) : infrastructure && (infrastructure[1] as string) in INFRASTRUCTURE_KINDS ? (
        <Infrastructure
          kind={infrastructure[1] as InfrastructureKind}
          namespace={decode(infrastructure[2], 'default')}
        />
      ) : create ? (
        <CreateCluster
          namespace={decode(create[1], 'default')}
          {...(create[2] ? { entryId: decodeURIComponent(create[2]) } : {})}
        />
      ) : (
        <ClusterList />
      )}
      <Toasts />
    </Page>
  );
}

/** Providers' `navigation.item` entries, in the navigation. */
function NavigationItems() {
  const extensions = useExtensions();
  if (!extensions) return null;
  return (
    <>
      {entriesFor(extensions, 'navigation.item').map((entry) => (
        <li
          key={`${entry.extension.id}/${entry.entry.id}`}
          className="pf-v6-c-nav__item nav-extension"
          data-extension={entry.entry.id}
        >
          <Extension entry={entry} props={{ namespace: 'default' }} mountKey="nav" />
        </li>
      ))}
    </>
  );
}

function Toasts() {
  const toasts = useToasts();
  return (
    <AlertGroup isToast isLiveRegion>
      {toasts.map((t) => (
        <Alert
          key={t.id}
          variant={t.kind === 'error' ? 'danger' : t.kind}
          title={t.text}
          component="p"
          data-toast={t.kind}
          actionClose={<AlertActionCloseButton onClose={() => dismiss(t.id)} />}
        />
      ))}
    </AlertGroup>
  );
}

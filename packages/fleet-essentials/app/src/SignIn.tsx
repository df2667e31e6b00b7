import {
  ActionGroup,
  Alert,
  Bullseye,
  Button,
  Card,
  CardBody,
  CardTitle,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { type FormEvent, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api.ts';

export function SignIn({
  onSignedIn,
}: {
  onSignedIn(session: { username: string; csrfToken: string }): void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const session = await api<{ username: string; csrfToken: string }>('POST', '/api/session', { token });
      setCsrfToken(session.csrfToken);
      onSignedIn(session);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="ii-sign-in">
      <Bullseye>
        <Card isLarge>
          <CardTitle>
            <Title headingLevel="h1">Sign in to Fleet Essentials</Title>
          </CardTitle>
          <CardBody>
            <Form onSubmit={submit}>
              {error && <Alert variant="danger" isInline role="alert" className="error" title={error} />}
              <FormGroup label="Kubernetes bearer token" fieldId="token" isRequired>
                <TextInput
                  id="token"
                  name="token"
                  type="password"
                  autoComplete="off"
                  value={token}
                  onChange={(_event, value) => setToken(value)}
                  validated={error !== undefined ? 'error' : 'default'}
                  isRequired
                />
                <FormHelperText>
                  <HelperText>
                    <HelperTextItem>
                      You act with your own identity: what you may see and do is decided by Kubernetes RBAC.
                    </HelperTextItem>
                  </HelperText>
                </FormHelperText>
              </FormGroup>
              <ActionGroup>
                <Button type="submit" variant="primary" isLoading={busy} isDisabled={busy}>
                  Sign in
                </Button>
              </ActionGroup>
            </Form>
          </CardBody>
        </Card>
      </Bullseye>
    </main>
  );
}

import {
  type AnyJobCallback,
  type CallbackFactory,
  InvalidInputError,
  type JobCallbackClass,
} from '@jobservice/core';
import { type Provider, Scope } from '@nestjs/common';
import { ContextIdFactory, type ModuleRef } from '@nestjs/core';

/**
 * The provider the module registers for one callback class: the class
 * itself, transient, so every attempt gets a new instance (the dispatcher
 * sets `this.metadata` on it; a shared singleton would race between
 * concurrent jobs), while its dependencies keep their own scopes.
 */
export function callbackProvider(callback: JobCallbackClass): Provider {
  return {
    provide: callback,
    useClass: callback as unknown as new (...args: unknown[]) => AnyJobCallback,
    scope: Scope.TRANSIENT,
  };
}

/**
 * The module's providers: `extra` (yours), with a provider of its own for
 * every callback `extra` does not provide. A callback you provide
 * (`{ provide: SendWelcome, useFactory, inject }`) is made transient unless
 * you gave it `Scope.REQUEST`, so each attempt still gets a new instance; a
 * `useValue`/`useExisting` one cannot be, and is refused.
 */
export function withCallbackProviders(
  callbacks: readonly JobCallbackClass[],
  extra: readonly Provider[],
): Provider[] {
  const tokens = new Set<unknown>(callbacks);
  const given = new Set<unknown>();
  const providers = extra.map((provider) => {
    const token = typeof provider === 'function' ? provider : provider?.provide;
    if (!tokens.has(token)) return provider;
    given.add(token);
    if (typeof provider === 'function') return callbackProvider(provider as JobCallbackClass);
    if ('useValue' in provider || 'useExisting' in provider) {
      const name = (token as { name?: string }).name;
      throw new InvalidInputError(
        'providers',
        `${name}: a callback runs a new instance per attempt; provide it with useClass or useFactory, not useValue/useExisting`,
      );
    }
    return { ...provider, scope: provider.scope === Scope.REQUEST ? Scope.REQUEST : Scope.TRANSIENT };
  });
  return [...callbacks.filter((c) => !given.has(c)).map(callbackProvider), ...providers];
}

/**
 * The dispatcher's `callbackFactory` for a Nest app: each attempt resolves
 * the callback from the module's container under a fresh context id, so
 * singleton dependencies are shared, while `Scope.REQUEST` and
 * `Scope.TRANSIENT` ones are built anew for the attempt. The attempt's job
 * document is registered as that context's request: a request-scoped
 * provider can `@Inject(REQUEST)` it.
 *
 * @param moduleRef the `ModuleRef` of the module that registered the callbacks
 * (it is searched strictly, so a copy of the class registered elsewhere is never picked).
 *
 * @example
 * new JobDispatcher({ store, callbacks, callbackFactory: nestCallbackFactory(moduleRef) });
 */
export function nestCallbackFactory(moduleRef: ModuleRef): CallbackFactory {
  return async (callback, job) => {
    const contextId = ContextIdFactory.create();
    moduleRef.registerRequestByContextId(job, contextId);
    return moduleRef.resolve<AnyJobCallback>(callback, contextId, { strict: true });
  };
}

import type { AnyJobCallback, CallbackFactory, JobCallbackClass } from '@jobservice/core';
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

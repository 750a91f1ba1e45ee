package dev.junction;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle bean that runs threads of its own, and stops them when it is destroyed as well as when it is stopped.
 * A context whose refresh fails after the lifecycle beans have started (Camel starts last, and fails there on a route
 * it cannot build) destroys its beans without stopping them, and the close that follows does nothing more: a
 * non-daemon thread would keep a hub that never started alive, a poller would wait for routes that never come.
 * On a normal close, destruction comes after {@link #stop()}, which must therefore do nothing the second time.
 */
public interface ThreadedLifecycle extends SmartLifecycle, DisposableBean {

    @Override
    default void destroy() {
        stop();
    }
}

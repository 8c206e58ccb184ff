/**
 * The exceptionless-call ring: the segment layout, the client, the server, and the domain agent with its attach
 * handshake. Every package is API: clients use the client side and the agent's session, service domains the
 * server side and the agent, the control plane all of them. A domain kind plugs its calls into the agent as a
 * {@link dev.vos.ring.agent.CallTableProvider} service.
 */
module dev.vos.ring {
    requires dev.vos.sys;

    exports dev.vos.ring;
    exports dev.vos.ring.agent;
    exports dev.vos.ring.client;
    exports dev.vos.ring.layout;
    exports dev.vos.ring.server;
    exports dev.vos.ring.transport;
    exports dev.vos.ring.transport.process;
    exports dev.vos.ring.transport.xen;

    uses dev.vos.ring.agent.CallTableProvider;
}

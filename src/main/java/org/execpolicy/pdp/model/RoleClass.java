package org.execpolicy.pdp.model;

/** The core role class a request's role resolved to (inserted by rules). */
public final class RoleClass {
    private final String name;

    public RoleClass(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    @Override
    public String toString() {
        return "RoleClass{" + name + "}";
    }
}

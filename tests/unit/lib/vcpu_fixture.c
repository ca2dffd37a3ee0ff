// SPDX-License-Identifier: MIT
#include <stdatomic.h>
#include <stdlib.h>
#include "srcu.h"
#include "vcpu_fixture.h"

_Atomic unsigned fake_kicks;

static void fake_kick(struct vcpu *vcpu)
{
	(void)vcpu;
	atomic_fetch_add(&fake_kicks, 1);
}

static const struct backend_ops fake_backend = {
	.name = "fake",
	.kick = fake_kick,
};

int vcpu_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	metrics__init(&f->m);
	f->vm.backend = &fake_backend;
	f->vm.metrics = &f->m;
	f->vm.cfg = &f->cfg;
	if (srcu__init(&f->vm.srcu, "test", 1) < 0) {
		free(f);
		return -1;
	}
	atomic_store(&f->vm.measuring, true);
	f->vm.nr_vcpus = 1;
	f->vcpu.vm = &f->vm;
	atomic_store(&f->vcpu.mode, OUTSIDE_GUEST_MODE);
	atomic_store(&fake_kicks, 0);
	*state = f;
	return 0;
}

int vcpu_teardown(void **state)
{
	struct fixture *f = *state;

	srcu__exit(&f->vm.srcu);
	free(f);
	return 0;
}

unsigned long reqs(struct vcpu *v)
{
	return atomic_load(&v->requests);
}

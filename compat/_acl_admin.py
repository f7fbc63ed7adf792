#!/usr/bin/python3
"""ACLs with kafka-python (run by test/integration/acls.test.ts against a SASL_PLAINTEXT
broker with the authorizer on and User:admin a super user): its KafkaAdminClient
creates, describes and deletes ACLs as admin; alice's producer is refused a topic until
she is granted WRITE on it, and refused again once that is taken back.
Arguments: bootstrap, admin:password, alice:password."""
import sys, uuid
from kafka import KafkaProducer
from kafka.admin import (KafkaAdminClient, NewTopic, ACL, ACLFilter, ResourcePattern, ResourcePatternFilter,
                         ACLOperation, ACLPermissionType, ResourceType, ACLResourcePatternType)
from kafka.errors import TopicAuthorizationFailedError, KafkaError, KafkaTimeoutError

bootstrap = sys.argv[1]
(admin_user, admin_password), (alice_user, alice_password) = (a.split(':', 1) for a in sys.argv[2:4])
auth = lambda user, password: dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN',
                                   sasl_plain_username=user, sasl_plain_password=password)
topic = 'kp-acl-' + uuid.uuid4().hex[:8]

admin = KafkaAdminClient(**auth(admin_user, admin_password))
admin.create_topics([NewTopic(topic, 1, 1)])


def alice_produces():
    p = KafkaProducer(acks='all', max_block_ms=2000, retries=0, **auth(alice_user, alice_password))
    try:
        p.send(topic, b'from alice').get(timeout=10)
        return 'ok'
    except TopicAuthorizationFailedError:
        return 'denied'
    except KafkaTimeoutError:
        # kafka-python 2.0 mostly waits out max_block_ms on a topic its metadata calls
        # unauthorized (a later refresh clears its note of it before it looks).
        return 'denied'
    except KafkaError as e:
        return type(e).__name__
    finally:
        p.close()


first = alice_produces()
assert first == 'denied', 'alice has no ACL yet: ' + first
grant = ACL(principal='User:' + alice_user, host='*', operation=ACLOperation.WRITE, permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(ResourceType.TOPIC, topic, ACLResourcePatternType.LITERAL))
created = admin.create_acls([grant])
assert len(created['succeeded']) == 1 and not created['failed'], created
assert alice_produces() == 'ok', 'granted WRITE'

mine = ACLFilter(principal='User:' + alice_user, host=None, operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
                 resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY))
acls, error = admin.describe_acls(mine)
assert [(a.resource_pattern.resource_name, a.operation) for a in acls] == [(topic, ACLOperation.WRITE)], (acls, error)
deleted = admin.delete_acls([mine])
assert len(deleted) == 1 and len(deleted[0][1]) == 1, deleted
assert alice_produces() == 'denied', 'the grant taken back'
admin.close()
print('ok: kafka-python created, described and deleted ACLs; alice refused, granted, refused')

"""Demo accounts. Created only by ``manage.py load_demo``, never by migrations."""

from django.conf import settings
from django.db import transaction

from projects.core.choices import Role
from projects.core.models import Organization, User

DEMO_USERS = [
    # username, role, organization slug, first name, superuser
    ("admin", Role.ADMINISTRATOR, "joint-office", "系统管理员", True),
    ("sc_staff", Role.PROVINCIAL_STAFF, "sc-natural-resources", "四川省自然资源厅 工作人员", False),
    ("cq_staff", Role.PROVINCIAL_STAFF, "cq-planning-natural-resources", "重庆市规划和自然资源局 工作人员", False),
    ("gz_staff", Role.PROVINCIAL_STAFF, "gz-natural-resources", "贵州省自然资源厅 工作人员", False),
    ("joint_office", Role.JOINT_OFFICE, "joint-office", "联席会议办公室", False),
    ("expert", Role.EXPERT, "expert-committee", "专家委员会 专家", False),
    ("partner_system", Role.PARTNER_SYSTEM, "data-sharing-platform", "数据共享平台", False),
]

DEMO_ORGANIZATIONS = [
    (
        "expert-committee",
        "川渝生态修复专家委员会",
        "Sichuan–Chongqing Ecological Restoration Expert Committee",
        "research",
    ),
    (
        "data-sharing-platform",
        "川渝生态修复数据共享平台",
        "Sichuan–Chongqing restoration data-sharing platform",
        "partner_system",
    ),
]


@transaction.atomic
def load_users() -> list[str]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are."""
    for slug, name_zh, name_en, kind in DEMO_ORGANIZATIONS:
        Organization.objects.get_or_create(slug=slug, defaults={"name_zh": name_zh, "name_en": name_en, "kind": kind})
    created = []
    for username, role, org_slug, first_name, superuser in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            role=role,
            organization=Organization.objects.get(slug=org_slug),
            first_name=first_name,
            email=f"{username}@example.org",
            is_staff=role != Role.PARTNER_SYSTEM,
            is_superuser=superuser,
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        created.append(username)
    return created

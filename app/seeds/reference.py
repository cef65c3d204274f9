"""Reference data every installation needs: agencies (central bodies and the 34 provinces)
and the topic tree. Idempotent: run it again after an upgrade and it adds only what is new."""
from sqlalchemy import select

from app.agencies.models import Agency, AgencyLevel
from app.common import places
from app.extensions import db
from app.submissions.models import Topic

RECEIVING_OFFICE = "VPTT-BCD"

CENTRAL_AGENCIES = [
    (RECEIVING_OFFICE,
     "Văn phòng thường trực Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
     "Standing Office of the Steering Committee on Science, Technology, Innovation and Digital Transformation"),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
    ("BTC", "Bộ Tài chính", "Ministry of Finance"),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
    ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs"),
    ("BTP", "Bộ Tư pháp", "Ministry of Justice"),
    ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade"),
    ("BYT", "Bộ Y tế", "Ministry of Health"),
    ("BCA", "Bộ Công an", "Ministry of Public Security"),
    ("VPCP", "Văn phòng Chính phủ", "Government Office"),
]

TOPICS = [
    ("ha-tang-so", "Hạ tầng số", "Digital infrastructure", [
        ("vien-thong", "Viễn thông, Internet và sóng di động", "Telecommunications, Internet and mobile coverage"),
        ("du-lieu-dam-may", "Trung tâm dữ liệu và điện toán đám mây", "Data centres and cloud computing"),
        ("an-toan-mang", "An toàn, an ninh mạng", "Cybersecurity"),
    ]),
    ("du-lieu", "Dữ liệu", "Data", [
        ("csdl-quoc-gia", "Cơ sở dữ liệu quốc gia", "National databases"),
        ("du-lieu-mo", "Dữ liệu mở", "Open data"),
        ("du-lieu-ca-nhan", "Bảo vệ dữ liệu cá nhân", "Personal data protection"),
    ]),
    ("dich-vu-cong", "Dịch vụ công trực tuyến", "Online public services", [
        ("cong-dvc", "Cổng dịch vụ công và thủ tục hành chính", "Public service portal and administrative procedures"),
        ("dinh-danh", "Định danh và xác thực điện tử", "Electronic identification and authentication"),
    ]),
    ("tri-tue-nhan-tao", "Trí tuệ nhân tạo", "Artificial intelligence", []),
    ("khoi-nghiep", "Khởi nghiệp và đổi mới sáng tạo", "Startups and innovation", []),
    ("so-huu-tri-tue", "Sở hữu trí tuệ", "Intellectual property", []),
    ("tai-tro-nghien-cuu", "Tài trợ nghiên cứu và cơ chế khoa học", "Research funding and mechanisms", []),
    ("nhan-luc", "Nhân lực khoa học, công nghệ và số", "Science, technology and digital human resources", []),
    ("cds-doanh-nghiep", "Chuyển đổi số doanh nghiệp", "Digital transformation of businesses", []),
]


def seed_reference() -> None:
    _seed_agencies()
    _seed_topics()
    db.session.commit()


def _seed_agencies() -> None:
    existing = set(db.session.scalars(select(Agency.code)))
    for code, name, name_en in CENTRAL_AGENCIES:
        if code not in existing:
            db.session.add(Agency(code=code, name=name, name_en=name_en, level=AgencyLevel.CENTRAL,
                                  is_receiving_office=code == RECEIVING_OFFICE))
    for province_code, province_name in places.provinces():
        code = f"T{province_code:02d}"
        if code not in existing:
            db.session.add(Agency(code=code, name=f"Ủy ban nhân dân {province_name}",
                                  name_en=f"People's Committee of {places.english_name(province_name)}",
                                  level=AgencyLevel.PROVINCE, province_code=province_code))


def _seed_topics() -> None:
    existing = {topic.slug: topic for topic in db.session.scalars(select(Topic))}
    for position, (slug, name, name_en, children) in enumerate(TOPICS):
        parent = existing.get(slug) or Topic(slug=slug, name=name, name_en=name_en, position=position)
        db.session.add(parent)
        for child_position, (child_slug, child_name, child_name_en) in enumerate(children):
            if child_slug not in existing:
                db.session.add(Topic(slug=child_slug, name=child_name, name_en=child_name_en,
                                     position=child_position, parent=parent))

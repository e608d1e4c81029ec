"""Chinese vocabulary of the synthetic generator (``generate(..., lang="zh")``).

Every list here has exactly the length of its English counterpart in
``synthetic_vocab.py``, in the same order: the generator draws its random numbers
the same way for both languages, so the Chinese sample has the same users,
items, interactions, ratings and production lists as the English one, and so
the same injected biases. Only the words differ (and the column headers, in the
Chinese spellings platforms export).
"""

from __future__ import annotations

CATEGORY_NAMES = {
    "Electronics": "数码电子", "Home & Kitchen": "家居厨房", "Beauty": "美妆个护",
    "Sports & Outdoors": "运动户外", "Toys & Games": "玩具游戏", "Books": "图书",
    "Fashion": "服饰箱包", "Grocery": "食品生鲜",
}

# Per English category: adjectives (7), variants (5), sub-type -> (name, 4 features).
VOCAB: dict[str, dict] = {
    "Electronics": {
        "adjectives": ["无线", "小巧", "智能", "便携", "超薄", "可充电", "专业版"],
        "variants": ["黑色", "白色", "银色", "藏青色", "石墨灰"],
        "subtypes": {
            "Headphones": ("头戴耳机", ["主动降噪", "30小时续航", "蓝牙5.3", "折叠头梁"]),
            "Smartwatch": ("智能手表", ["心率监测", "GPS定位", "睡眠监测", "AMOLED屏幕"]),
            "Portable Speaker": ("蓝牙音箱", ["360度环绕声", "防水机身", "重低音", "蓝牙配对"]),
            "Power Bank": ("充电宝", ["快充", "20000毫安", "USB-C接口", "电量指示灯"]),
            "Webcam": ("电脑摄像头", ["1080P高清", "自动对焦", "双麦克风", "隐私遮挡"]),
            "Mechanical Keyboard": ("机械键盘", ["热插拔轴体", "RGB背光", "87键布局", "USB-C线"]),
        },
    },
    "Home & Kitchen": {
        "adjectives": ["经典", "防滑", "加厚", "简约", "可叠放", "高端", "易清洗"],
        "variants": ["灰色", "米白色", "浅绿色", "两件套", "大号"],
        "subtypes": {
            "Chef's Knife": ("厨师刀", ["锋利刀刃", "人体工学手柄", "一体龙骨", "8英寸刀身"]),
            "Coffee Grinder": ("磨豆机", ["研磨粗细可调", "锥刀磨芯", "静音电机", "意式档位"]),
            "Frying Pan": ("不粘煎锅", ["不粘涂层", "电磁炉通用", "可进烤箱", "受热均匀"]),
            "Bath Towel Set": ("浴巾套装", ["速干棉", "强吸水", "毛圈柔软", "可机洗"]),
            "Storage Jar Set": ("密封罐套装", ["密封盖", "可叠放设计", "配标签", "无双酚A密封圈"]),
            "Table Lamp": ("台灯", ["无极调光", "暖白光", "触摸开关", "亚麻灯罩"]),
        },
    },
    "Beauty": {
        "adjectives": ["补水", "温和", "提亮", "纯素", "无香精", "持久", "滋养"],
        "variants": ["50毫升", "100毫升", "玫瑰色", "裸色", "旅行装"],
        "subtypes": {
            "Face Serum": ("精华液", ["美白配方", "淡化细纹", "质地轻薄", "皮肤科测试"]),
            "Moisturizing Cream": ("保湿面霜", ["24小时保湿", "质地丰润", "修护屏障", "清爽不油腻"]),
            "Lipstick": ("口红", ["哑光质地", "滋润显色", "不易脱色", "饱和显色"]),
            "Shampoo": ("洗发水", ["无硅油", "头皮护理", "柔顺防毛躁", "丰盈蓬松"]),
            "Eyeshadow Palette": ("眼影盘", ["12色易晕染", "珠光哑光搭配", "自带镜子", "高显色"]),
            "Sunscreen": ("防晒霜", ["SPF50防护", "广谱防晒", "防水防汗", "不泛白"]),
        },
    },
    "Sports & Outdoors": {
        "adjectives": ["轻量", "耐用", "透气", "全天候", "人体工学", "越野", "速干"],
        "variants": ["黑色", "海洋蓝", "森林绿", "M码", "L码"],
        "subtypes": {
            "Yoga Mat": ("瑜伽垫", ["6毫米加厚", "防滑表面", "体位线", "附背带"]),
            "Running Shoes": ("跑步鞋", ["回弹中底", "抓地外底", "反光设计", "飞织鞋面"]),
            "Camping Tent": ("露营帐篷", ["双人空间", "防水外帐", "速开支架", "通风窗"]),
            "Water Bottle": ("保温水杯", ["双层真空", "防漏杯盖", "24小时保冷", "1升容量"]),
            "Resistance Bands": ("弹力带", ["五档阻力", "门扣锚点", "加厚手柄", "无乳胶"]),
            "Hiking Backpack": ("登山包", ["30升容量", "防雨罩", "腰带", "水袋仓"]),
        },
    },
    "Toys & Games": {
        "adjectives": ["多彩", "益智", "经典", "创意", "亲子", "豪华", "互动"],
        "variants": ["3岁以上", "6岁以上", "8岁以上", "12岁以上", "礼盒装"],
        "subtypes": {
            "Building Blocks Set": ("积木套装", ["500颗粒", "兼容积木", "分步说明书", "收纳盒"]),
            "Jigsaw Puzzle": ("拼图", ["1000片", "风景画面", "精切拼块", "附海报"]),
            "Board Game": ("桌游", ["2至6人", "策略玩法", "45分钟一局", "规则易学"]),
            "Plush Toy": ("毛绒玩具", ["超柔短毛", "刺绣眼睛", "可抱尺寸", "可机洗"]),
            "Remote Control Car": ("遥控车", ["2.4G遥控", "可充电电池", "全地形轮胎", "高速"]),
            "Art Kit": ("绘画套装", ["可水洗马克笔", "彩色铅笔", "素描本", "手提盒"]),
        },
    },
    "Books": {
        "adjectives": ["图解", "畅销", "获奖", "全集", "口袋", "注释", "新版"],
        "variants": ["平装", "精装", "大字版", "第二版", "套装"],
        "subtypes": {
            "Cookbook": ("菜谱", ["100道家常菜", "工作日晚餐", "时令食材", "分步图解"]),
            "Mystery Novel": ("悬疑小说", ["情节反转", "侦探故事", "小镇秘密", "扣人心弦"]),
            "Science Fiction Novel": ("科幻小说", ["星际探索", "人工智能", "遥远未来", "宏大世界观"]),
            "Children's Picture Book": ("儿童绘本", ["押韵文字", "明亮插画", "动物朋友", "亲子共读"]),
            "Self-Help Guide": ("自我提升指南", ["实用练习", "习惯养成", "正念技巧", "职业建议"]),
            "History Book": ("历史读物", ["古代文明", "档案照片", "世界大战", "地图与年表"]),
        },
    },
    "Fashion": {
        "adjectives": ["修身", "宽松", "复古", "日常", "定制", "休闲", "优雅"],
        "variants": ["黑色", "驼色", "靛蓝色", "S码", "XL码"],
        "subtypes": {
            "Denim Jacket": ("牛仔外套", ["单排扣", "胸前口袋", "翻领", "水洗工艺"]),
            "Cotton T-Shirt": ("纯棉T恤", ["圆领", "柔软针织", "预缩面料", "常规版型"]),
            "Leather Handbag": ("皮质手提包", ["可调肩带", "拉链开合", "内袋", "金色五金"]),
            "Wool Scarf": ("羊毛围巾", ["流苏边", "罗纹针织", "加长款", "保暖织法"]),
            "Sneakers": ("休闲鞋", ["缓震鞋垫", "系带", "橡胶底", "低帮"]),
            "Sunglasses": ("太阳镜", ["偏光镜片", "UV400防护", "板材镜框", "附眼镜盒"]),
        },
    },
    "Grocery": {
        "adjectives": ["有机", "公平贸易", "精选", "手工", "无麸质", "家庭装", "天然"],
        "variants": ["250克", "500克", "1千克", "6袋装", "超值装"],
        "subtypes": {
            "Ground Coffee": ("咖啡粉", ["中度烘焙", "巧克力风味", "口感顺滑", "滤泡研磨"]),
            "Green Tea": ("绿茶", ["茉莉花香", "富含茶多酚", "可降解茶包", "口感清淡"]),
            "Dark Chocolate": ("黑巧克力", ["70%可可", "海盐颗粒", "不含棕榈油", "浓郁醇厚"]),
            "Olive Oil": ("橄榄油", ["特级初榨", "冷压工艺", "微辛回味", "深色玻璃瓶"]),
            "Granola": ("燕麦脆", ["酥脆团块", "蜂蜜杏仁", "高纤维", "无精制糖"]),
            "Pasta": ("意大利面", ["铜模挤压", "杜兰小麦", "弹牙口感", "快熟"]),
        },
    },
}

# Per English sub-type: (3 materials, 3 uses), same order as the English table.
MATERIALS_USES: dict[str, tuple[list[str], list[str]]] = {
    "Headphones": (["记忆海绵耳罩", "铝合金转轴", "磨砂塑料"], ["通勤", "旅行", "居家办公"]),
    "Smartwatch": (["铝合金表壳", "硅胶表带", "蓝宝石玻璃"], ["健身记录", "日常佩戴", "跑步"]),
    "Portable Speaker": (["加固硅胶", "织物网罩", "磨砂塑料"], ["户外聚会", "海滩", "旅行"]),
    "Power Bank": (["铝合金外壳", "磨砂塑料", "聚合物锂电芯"], ["旅行", "通勤", "音乐节"]),
    "Webcam": (["磨砂塑料", "玻璃镜头", "金属夹"], ["视频会议", "直播", "居家办公"]),
    "Mechanical Keyboard": (["铝合金框架", "PBT键帽", "钢制定位板"], ["游戏", "编程", "居家办公"]),
    "Chef's Knife": (["德国不锈钢", "大马士革钢", "木质手柄"], ["日常烹饪", "备餐", "家庭厨师"]),
    "Coffee Grinder": (["不锈钢磨盘", "陶瓷磨芯", "拉丝铝"], ["意式咖啡", "手冲咖啡", "法压壶"]),
    "Frying Pan": (["铸铁", "硬质氧化铝", "三层不锈钢"], ["日常烹饪", "家庭晚餐", "煎炒"]),
    "Bath Towel Set": (["埃及棉", "竹纤维", "土耳其棉"], ["浴室", "客房", "健身房"]),
    "Storage Jar Set": (["高硼硅玻璃", "竹木盖", "无双酚A塑料"], ["食品收纳", "小厨房", "备餐"]),
    "Table Lamp": (["陶瓷", "拉丝黄铜", "橡木"], ["床头阅读", "温馨客厅", "居家办公"]),
    "Face Serum": (["玻尿酸", "维生素C", "烟酰胺"], ["暗沉肌肤", "日常护肤", "夜间护理"]),
    "Moisturizing Cream": (["乳木果油", "神经酰胺", "芦荟"], ["干性肌肤", "敏感肌肤", "日常护肤"]),
    "Lipstick": (["维生素E", "荷荷巴油", "蜂蜡"], ["日常妆容", "晚间约会", "重要场合"]),
    "Shampoo": (["摩洛哥坚果油", "茶树精油", "椰子提取物"], ["各种发质", "卷发", "日常洗护"]),
    "Eyeshadow Palette": (["矿物压制色粉", "云母", "镜面盒"], ["日常妆容", "晚间约会", "音乐节妆容"]),
    "Sunscreen": (["氧化锌", "芦荟", "轻薄乳液"], ["敏感肌肤", "海滩", "日常护肤"]),
    "Yoga Mat": (["天然橡胶", "TPE材料", "软木"], ["瑜伽", "普拉提", "居家健身"]),
    "Running Shoes": (["透气网布", "再生聚酯", "EVA泡棉"], ["路跑", "马拉松训练", "健身房训练"]),
    "Camping Tent": (["抗撕裂尼龙", "铝合金杆", "涤纶面料"], ["露营", "音乐节", "徒步旅行"]),
    "Water Bottle": (["不锈钢", "无双酚A材质", "食品级硅胶"], ["徒步", "健身房训练", "办公室"]),
    "Resistance Bands": (["天然乳胶", "编织面料", "TPE材料"], ["力量训练", "居家健身", "康复训练"]),
    "Hiking Backpack": (["抗撕裂尼龙", "再生聚酯", "防水面料"], ["一日徒步", "长途徒步", "旅行"]),
    "Building Blocks Set": (["儿童安全塑料", "环保木材", "ABS塑料"], ["创意游戏", "早期教育", "生日礼物"]),
    "Jigsaw Puzzle": (["硬卡纸", "再生纸板", "环保木材"], ["家庭游戏夜", "雨天午后", "拼图爱好者"]),
    "Board Game": (["硬卡纸", "木质棋子", "亚麻纹卡牌"], ["家庭游戏夜", "聚会", "策略爱好者"]),
    "Plush Toy": (["柔软毛绒", "再生聚酯填充", "有机棉"], ["睡前陪伴", "幼儿", "生日礼物"]),
    "Remote Control Car": (["抗冲击塑料", "橡胶轮胎", "合金底盘"], ["户外游戏", "竞速", "生日礼物"]),
    "Art Kit": (["木质收纳盒", "无毒颜料", "再生纸"], ["小画家", "雨天午后", "学校作业"]),
    "Cookbook": (["全彩印刷", "平摊装订", "防水封面"], ["家庭厨师", "忙碌家庭", "送礼"]),
    "Mystery Novel": (["哑光封面", "无酸纸", "锁线装订"], ["读书会", "假期阅读", "推理迷"]),
    "Science Fiction Novel": (["哑光封面", "无酸纸", "锁线装订"], ["好奇的读者", "读书会", "假期阅读"]),
    "Children's Picture Book": (["加厚纸板", "全彩印刷", "精装封面"], ["睡前阅读", "初级读者", "送礼"]),
    "Self-Help Guide": (["无酸纸", "哑光封面", "练习册页"], ["个人成长", "学生", "职场人士"]),
    "History Book": (["全彩插页", "锁线装订", "无酸纸"], ["历史爱好者", "学生", "好奇的读者"]),
    "Denim Jacket": (["弹力牛仔布", "有机棉牛仔布", "原色牛仔布"], ["周末出游", "叠穿", "四季"]),
    "Cotton T-Shirt": (["有机棉", "长绒棉", "棉麻混纺"], ["日常穿着", "叠穿", "夏日"]),
    "Leather Handbag": (["真皮", "纯素皮革", "麂皮"], ["通勤", "晚间约会", "日常使用"]),
    "Wool Scarf": (["美利奴羊毛", "小羊毛", "羊绒混纺"], ["寒冬", "叠穿", "送礼"]),
    "Sneakers": (["帆布", "皮革", "再生针织"], ["日常穿着", "周末出游", "城市漫步"]),
    "Sunglasses": (["板材镜框", "金属镜框", "聚碳酸酯镜片"], ["夏日", "驾驶", "海滩"]),
    "Ground Coffee": (["单一产地阿拉比卡豆", "阿拉比卡罗布斯塔拼配", "树荫种植咖啡豆"], ["滤泡咖啡", "法压壶", "晨间习惯"]),
    "Green Tea": (["散装茶叶", "三角茶包", "日式煎茶"], ["下午茶歇", "清晨", "冷泡茶"]),
    "Dark Chocolate": (["单一产地可可", "可可脂", "原蔗糖"], ["健康零食", "家庭烘焙", "送礼"]),
    "Olive Oil": (["冷压橄榄", "科罗内基橄榄", "早收橄榄"], ["沙拉", "日常烹饪", "蘸面包"]),
    "Granola": (["燕麦片", "全谷物", "烘烤坚果"], ["早餐", "健康零食", "酸奶碗"]),
    "Pasta": (["杜兰小麦粗粒粉", "全麦粉", "有机斯佩尔特小麦"], ["家庭晚餐", "快手晚餐", "日常烹饪"]),
}

DESCRIPTION_TEMPLATES = (
    "{A}{noun}，采用{mat}，专为{use}设计。具备{f1}和{f2}。",
    "这款{noun}{a}，采用{mat}。适合{use}，{f1}。",
    "{A}{noun}，适用于{use}，{mat}材质：{f1}、{f2}。",
)

BIG_BRANDS = ("明光", "北岳", "尖峰", "暖家", "迅驰", "环宇", "枫林小铺", "臻品")
# 40 prefixes x 25 suffixes x 4 tags, as in English: the same permutation of
# combinations picks each small seller's name in both languages.
BRAND_PREFIX = (
    "琥珀", "白桦", "钴蓝", "沙丘", "余烬", "寓言", "林荫", "港湾", "鸢尾", "杜松",
    "青隼", "椴树", "草甸", "云朵", "橡木", "卵石", "羽笔", "渡鸦", "貂绒", "蓟草",
    "赭石", "山谷", "柳岸", "蓍草", "西风", "白杨", "溪流", "雪松", "三角洲", "榆木",
    "蕨叶", "闪光", "苍鹭", "靛青", "碧玉", "风筝", "云雀", "青苔", "北方", "蛋白石",
)
BRAND_SUFFIX = (
    "田", "石", "木", "光", "冠", "岭", "叶", "浪", "溪", "湾",
    "门", "源", "泉", "印", "港", "工坊", "线", "峰", "谷", "春",
    "渡", "原", "乡", "畔", "岸",
)
BRAND_TAG = ("", "旗舰店", "工作室", "优品")

GENDERS = ("女", "男", "其他")
REGIONS = ("华北", "华南", "华东", "西部", "华中")
TIERS = ("普通会员", "银卡会员", "金卡会员")
CITY_TIERS = ("一线", "新一线", "二线", "三线及以下")
CITY_TIER_PROBS = (0.15, 0.2, 0.3, 0.35)

# Column headers as Chinese platforms export them (fairrec detects each role).
COLUMNS = {
    "interactions": {"user_id": "用户ID", "item_id": "商品ID", "rating": "评分", "timestamp": "时间"},
    "users": {"user_id": "用户ID", "gender": "性别", "age": "年龄", "region": "地区",
              "city_tier": "城市等级", "membership_tier": "会员等级", "signup_date": "注册日期"},
    "items": {"item_id": "商品ID", "title": "商品名称", "description": "描述", "category": "类目",
              "seller_id": "店铺ID", "seller_size": "店铺规模", "brand": "品牌", "price": "价格",
              "created_at": "上架时间"},
    "recommendations": {"user_id": "用户ID", "item_id": "商品ID", "rank": "排名", "score": "得分"},
}
SELLER_SIZES = {"big": "大型", "small": "小型"}
